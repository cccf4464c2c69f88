// How the processor parses a stored raw message: on its own thread (inline), or in a pool of worker
// threads (parse-pool.ts) so that parsing, the heaviest CPU work per message, runs beside the database
// work of the messages before it (issue 14). Either way attachments go to the group's BlobBatch, which
// makes them durable before the transaction naming them commits.
import { parseMessage } from '../../mail/index.js';
import type { Message } from '../../mail/message.js';
import type { BlobBatch } from '../../store/blob-batch.js';
import type { BlobStore } from '../../store/blobs.js';

/**
 * A stored raw message, and when it arrived (the date of a message without one): its bytes when they
 * are at hand (store/raw-messages.ts: just stored by this process, or kept in the database), else it is
 * streamed from its blob file.
 */
export interface StoredMessage {
  rawRef: string;
  receivedAt: string;
  raw?: Buffer;
}

export interface StoredParser {
  /**
   * Resolves to the message, with its attachments saved to `attachments` (unsynced until it flushes).
   * Rejects with UnparseableMessageError for bytes no parser can read, with another error otherwise.
   */
  parse(stored: StoredMessage, attachments: BlobBatch): Promise<Message>;
  /** Parses run beside the caller's own work (worker threads): parsing ahead of it pays. */
  readonly parallel: boolean;
  close(): Promise<void>;
}

/** Parsing on the caller's thread: for one core, and for anything that processes a message or two. */
export function inlineParser(blobs: BlobStore): StoredParser {
  return {
    parallel: false,
    parse: (stored, attachments) => parseMessage(stored.raw ?? blobs.open(stored.rawRef), { receivedAt: new Date(stored.receivedAt), sink: attachments }),
    close: async () => {},
  };
}
