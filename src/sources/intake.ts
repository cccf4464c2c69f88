// The one way mail enters mailbind: the raw bytes and an inbox row with the source's origin key, made
// durable before this resolves; only then may a source acknowledge the message to its server. Bytes up
// to RAW_IN_DATABASE_MAX_BYTES go into the database with the row, in its transaction; larger ones to a
// blob file, fsynced before the row is inserted (store/raw-messages.ts says why).
// One message at a time (intakeMessage: a stream, any size), or a batch of messages already in memory
// (intakeBatch) made durable with one barrier: the blob files synced together, then all the rows (and
// the small messages' bytes) in one transaction.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { BlobStore, refOf, type BlobInfo } from '../store/blobs.js';
import type { Db, Store } from '../store/database.js';
import { insertInboxItem, insertInboxItems, type InboxItem, type NewInboxItem } from '../store/inbox.js';
import { RAW_IN_DATABASE_MAX_BYTES } from '../store/raw-messages.js';
import { contentOriginKey, MAX_HEADER_BYTES, messageIdOf, scanHeaders } from '../mail/header-scan.js';
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
  const whole = await wholeIfSmall(content);
  if (Buffer.isBuffer(whole) && whole.length <= RAW_IN_DATABASE_MAX_BYTES) {
    return insertInboxItem(store.db, { ...inboxRow({ ref: refOf(whole), size: whole.length }, whole, options), rawBytes: whole });
  }
  try {
    const blobs = new BlobStore(store.dataDir);
    const blob = await blobs.save(whole);
    const head = Buffer.isBuffer(whole) ? whole : await readHead(blobs.pathOf(blob.ref));
    return insertInboxItem(store.db, inboxRow(blob, head, options));
  } catch (error) {
    // Whatever failed (the blob folder, a write, the disk), the rest of the message is not wanted: its
    // source is released, not left waiting for a reader. A POP3 RETR holds its connection, an IMAP
    // download its fetch, until their stream is read to the end or destroyed.
    if (!Buffer.isBuffer(content)) (content as Readable).destroy();
    throw error;
  }
}

/**
 * The content as one buffer when it is small enough for the database; otherwise a stream of all of it
 * (what was read to find out, then the rest), so a large message is never held in memory whole.
 */
async function wholeIfSmall(content: NodeJS.ReadableStream | Buffer): Promise<Buffer | NodeJS.ReadableStream> {
  if (Buffer.isBuffer(content)) return content;
  const iterator = (content as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const read: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return Buffer.concat(read, size);
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    read.push(chunk);
    size += chunk.length;
    if (size > RAW_IN_DATABASE_MAX_BYTES) break;
  }
  return Readable.from((async function* rest() {
    yield* read;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })());
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
}

/**
 * Stores messages held in memory, in order, with one durability barrier: the large ones' blob files
 * written and synced together (BlobStore.saveAll), then all inbox rows, with the small ones' bytes, in
 * one transaction. Results are in input order. A message whose blob file cannot be stored, or whose row
 * the database refuses even without its labels (insertInboxItems), gets its error and no row; the
 * others are stored. When the transaction fails, this rejects and none of the rows exist (blob files are
 * harmless leftovers: the same bytes stored again reuse them).
 */
export async function intakeBatch(store: Store, messages: readonly BatchMessage[], options: BatchOptions): Promise<BatchResult[]> {
  const blobStore = new BlobStore(store.dataDir);
  const inFile = (content: Buffer) => content.length > RAW_IN_DATABASE_MAX_BYTES;
  const saved = await blobStore.saveAll(messages.flatMap((m) => (inFile(m.content) ? [m.content] : [])));
  // The files' results in order; the others are named here (saveAll hashes what it stores).
  let nextSaved = 0;
  const blobs: Array<BlobInfo | { error: Error }> = messages.map(({ content }) =>
    (inFile(content) ? saved[nextSaved++]! : { ref: refOf(content), size: content.length }));
  const rows: NewInboxItem[] = [];
  const rowOf: number[] = [];
  blobs.forEach((blob, i) => {
    if ('error' in blob) return;
    const { content, originKey } = messages[i]!;
    rowOf[i] = rows.length;
    rows.push({ ...inboxRow(blob, content, { ...options, originKey }), ...(content.length <= RAW_IN_DATABASE_MAX_BYTES ? { rawBytes: content } : {}) });
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
    const buffer = Buffer.alloc(MAX_HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
