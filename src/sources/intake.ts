// The one way mail enters mailbind: raw bytes go to blob storage (fsynced), then an inbox row with the
// source's origin key. Only after this resolves may a source acknowledge the message to its server.
import { open } from 'node:fs/promises';
import { BlobStore } from '../store/blobs.js';
import type { Store } from '../store/database.js';
import { insertInboxItem, type InboxItem } from '../store/inbox.js';
import { contentOriginKey, scanHeaders, scanMessageId } from '../mail/header-scan.js';
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
  const head = await readHead(blobs.pathOf(blob.ref));
  const headers = scanHeaders(head);
  const messageId = scanMessageId(head);
  const limit = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  // Oversized mail is kept and recorded, never silently dropped: its headers stay readable.
  const size = Math.max(blob.size, options.serverSize ?? 0);
  const tooLarge = size > limit
    ? { outcome: 'ignored' as const, reason: `${TOO_LARGE} ${size} bytes, the limit is ${limit}` }
    : undefined;
  return insertInboxItem(store.db, {
    profileId: options.profileId,
    originKey: options.originKey ?? contentOriginKey(messageId, blob.ref),
    rawRef: blob.ref,
    rawSize: blob.size,
    messageId,
    subject: headers.get('subject') ?? null,
    fromAddress: headers.get('from') ?? null,
    ...(tooLarge ? { outcome: tooLarge } : {}),
    ...(options.acknowledge ? { acknowledge: true } : {}),
  });
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
