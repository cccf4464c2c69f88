// The messages between the processor's thread and a parse thread (parse-pool.ts, parse-worker.ts).
import type { UnparseableReason } from '../../mail/errors.js';
import type { Message } from '../../mail/message.js';
import type { WrittenBlob } from '../../store/blobs.js';
import type { StoredMessage } from './stored-parser.js';

export interface ParseTask extends Omit<StoredMessage, 'raw'> {
  id: number;
  /** The raw bytes when they were at hand (StoredMessage.raw; arrives as a Uint8Array); else the thread reads the file. */
  raw?: Uint8Array;
}

export type ParseReply =
  | { id: number; message: Message; written: WrittenBlob[] }
  | { id: number; unparseable: { message: string; reason: UnparseableReason } }
  | { id: number; error: string };

/** Sent once by a thread when its script is loaded: from then on its silence counts (parse-pool.ts). */
export interface ThreadReady {
  ready: true;
}
