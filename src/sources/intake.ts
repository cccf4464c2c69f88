// The one way mail enters mailbind: raw bytes go to blob storage (fsynced), then an inbox row with the
// source's origin key. Only after this resolves may a source acknowledge the message to its server.
// One message at a time (intakeMessage: a stream, any size), or a batch of messages already in memory
// (intakeBatch) made durable with one barrier: the blobs synced together, then all the rows in one
// transaction.
import { open } from 'node:fs/promises';
import { BlobStore, type BlobInfo } from '../store/blobs.js';
import type { Db, Store } from '../store/database.js';
import { insertInboxItem, insertInboxItems, type InboxItem, type NewInboxItem } from '../store/inbox.js';
import { contentOriginKey, messageIdOf, scanHeaders } from '../mail/header-scan.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './settings-core.js';

/** How the reason of an oversized message starts. */
export const TOO_LARGE = 'too large:';

export interface IntakeOptions {
  profileId: number;
  /** Source-specific key (UIDL, IMAP folder/UIDVALIDITY/UID). Default: Message-ID + SHA-256. */
  originKey?: string;
  maxMessageBytes?: number;
  /** The message stays on a mail server that is told once its outcome is known. */
  acknowledge?: boolean;
  /**
   * The message's size on the server, when the source stores only its headers because it is over
   * the limit (POP3 TOP, IMAP BODY[HEADER]): it is recorded as ignored, too large.
   */
  serverSize?: number;
}

export interface IntakeResult {
  item: InboxItem;
  /** False when this origin key was already in the inbox: nothing new was stored. */
  inserted: boolean;
}

export async function intakeMessage(
  store: Store,
  content: NodeJS.ReadableStream | Buffer,
  options: IntakeOptions,
): Promise<IntakeResult> {
  const blobs = new BlobStore(store.dataDir);
  const blob = await blobs.save(content);
  const head = Buffer.isBuffer(content) ? content : await readHead(blobs.pathOf(blob.ref));
  return insertInboxItem(store.db, inboxRow(blob, head, options));
}

export interface BatchMessage {
  content: Buffer;
  originKey: string;
}

/** A message of a batch: stored (or found already there), or not stored, with why. */
export type BatchResult = IntakeResult | { error: Error };

export interface BatchOptions {
  profileId: number;
  maxMessageBytes?: number;
  acknowledge?: boolean;
  /**
   * Runs inside the transaction that inserts the rows, after them, with every message's result: what
   * the source must record together with its messages (the IMAP cursor). If it throws, nothing of the
   * batch is in the inbox.
   */
  beforeCommit?: (db: Db, results: readonly BatchResult[]) => Promise<void>;
  /** Keep the stored bytes in memory, up to this many with earlier batches', for this process to parse (the source's batch bound). */
  keepBytes?: number;
}

/**
 * Stores messages held in memory, in order, with one durability barrier: all blobs written and synced
 * together (BlobStore.saveAll), then all inbox rows in one transaction. Results are in input order. A
 * message whose blob cannot be stored, or whose row the database refuses even without its labels
 * (insertInboxItems), gets its error and no row; the others are stored. When the transaction fails,
 * this rejects and none of the rows exist (the blobs are harmless leftovers: the same bytes stored
 * again reuse them).
 */
export async function intakeBatch(store: Store, messages: readonly BatchMessage[], options: BatchOptions): Promise<BatchResult[]> {
  const blobs = await new BlobStore(store.dataDir).saveAll(messages.map((m) => m.content), options.keepBytes);
  const rows: NewInboxItem[] = [];
  const rowOf: number[] = [];
  blobs.forEach((blob, i) => {
    if ('error' in blob) return;
    rowOf[i] = rows.length;
    rows.push(inboxRow(blob, messages[i]!.content, { ...options, originKey: messages[i]!.originKey }));
  });
  const results = (inserted: readonly BatchResult[]): BatchResult[] =>
    blobs.map((blob, i) => ('error' in blob ? blob : inserted[rowOf[i]!]!));
  const inserted = await insertInboxItems(store.db, rows, options.beforeCommit
    ? (trx, done) => options.beforeCommit!(trx, results(done))
    : undefined);
  return results(inserted);
}

/** The inbox row of a stored blob, labelled from its head (the first bytes are enough). */
function inboxRow(blob: BlobInfo, head: Buffer, options: IntakeOptions): NewInboxItem {
  const headers = scanHeaders(head);
  const messageId = messageIdOf(headers);
  const limit = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  // Oversized mail is kept and recorded, never silently dropped: its headers stay readable.
  const size = Math.max(blob.size, options.serverSize ?? 0);
  const tooLarge = size > limit
    ? { outcome: 'ignored' as const, reason: `${TOO_LARGE} ${size} bytes, the limit is ${limit}` }
    : undefined;
  return {
    profileId: options.profileId,
    originKey: options.originKey ?? contentOriginKey(messageId, blob.ref),
    rawRef: blob.ref,
    rawSize: blob.size,
    messageId,
    subject: headers.get('subject') ?? null,
    fromAddress: headers.get('from') ?? null,
    ...(tooLarge ? { outcome: tooLarge } : {}),
    ...(options.acknowledge ? { acknowledge: true } : {}),
  };
}

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(256 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
