// How a poll's new messages are cut into download steps, in UID order (processing takes inbox items in
// insertion order, and a reply must not be processed before the message it answers): runs of messages
// small enough to hold in memory become batches, one FETCH and one durability barrier each, bounded by
// count and by bytes (the sizes the listing gave); a large message, or one over the profile's size
// limit (only its header is fetched), is a step of its own on the streaming path, and so is one listed
// without a size: nothing bounds what it would hold in memory. (A size the server understates is
// caught while the batch arrives: fetch-batch.ts.) POP3 cuts its new messages the same way, by the sizes
// LIST gave (pop3/download-all.ts).
import type { ListedMessage } from './listing.js';

export interface BatchLimits {
  /** Most messages in a batch. */
  maxMessages: number;
  /** Most listed bytes in a batch; a single message above it is streamed anyway (streamAbove ≤ maxBytes). */
  maxBytes: number;
  /** Messages larger than this are streamed. */
  streamAbove: number;
  /** The profile's size limit: a message over it is fetched as its header only (the streaming path). */
  maxMessageBytes: number;
}

export type Step<M = ListedMessage> =
  | { kind: 'batch'; messages: M[] }
  | { kind: 'stream'; message: M };

/** `size` is the listed size; 0 or less when the listing gave none. */
export function planSteps<M extends { size: number }>(messages: readonly M[], limits: BatchLimits): Step<M>[] {
  if (!(limits.maxMessages >= 1) || !(limits.maxBytes >= 1)) throw new RangeError('batches need room for at least one message and one byte');
  const steps: Step<M>[] = [];
  let batch: M[] = [];
  let bytes = 0;
  const close = () => {
    if (batch.length) steps.push({ kind: 'batch', messages: batch });
    batch = [];
    bytes = 0;
  };
  for (const message of messages) {
    const unknown = message.size <= 0;
    if (unknown || message.size > limits.streamAbove || message.size > limits.maxBytes || message.size > limits.maxMessageBytes) {
      close();
      steps.push({ kind: 'stream', message });
      continue;
    }
    if (batch.length >= limits.maxMessages || (batch.length && bytes + message.size > limits.maxBytes)) close();
    batch.push(message);
    bytes += message.size;
  }
  close();
  return steps;
}
