// What a parse thread does with one task (parse-worker.ts wires it to the pool's messages): parses the
// stored raw message and writes its attachments to the blob store's tmp/, unsynced; the main thread's
// BlobBatch syncs and places them with the rest of the group before the group commits. Nothing here
// touches the database.
import { parseMessage, UnparseableMessageError } from '../../mail/index.js';
import { BlobBatch } from '../../store/blob-batch.js';
import type { BlobStore } from '../../store/blobs.js';
import type { ParseReply, ParseTask } from './parse-protocol.js';

export async function parseTask(task: ParseTask, blobs: BlobStore): Promise<ParseReply> {
  const sink = new BlobBatch(blobs);
  try {
    const raw = task.raw ? Buffer.from(task.raw.buffer, task.raw.byteOffset, task.raw.byteLength) : blobs.open(task.rawRef);
    const message = await parseMessage(raw, { receivedAt: new Date(task.receivedAt), sink });
    return { id: task.id, message, written: sink.handOver() };
  } catch (error) {
    // The main thread never learns of these files: they go now, not with the next day's tmp/ sweep.
    await sink.discard();
    const text = error instanceof Error ? error.message : String(error);
    if (error instanceof UnparseableMessageError) return { id: task.id, unparseable: { message: text, reason: error.reason } };
    return { id: task.id, error: text };
  }
}
