// Attachment blobs of a processing batch, made durable with one barrier (issue 14): each is written to
// tmp/ and hashed as the parser hands it over, and `flush` syncs them all at once (in parallel), renames
// them to their hashes and syncs each shard folder once — where BlobStore.save pays two syncs per blob.
// A blob only gets its real name after its bytes are on disk, so a crash never leaves a torn file under a
// hash another message's row may name. Processing flushes before the transaction naming the blobs commits.
import { open, rm } from 'node:fs/promises';
import type { AttachmentSink } from '../mail/message.js';
import type { BlobInfo, BlobStore, WrittenBlob } from './blobs.js';
import { countSync } from './sync-counts.js';

export class BlobBatch implements AttachmentSink {
  private pending: WrittenBlob[] = [];

  constructor(private readonly blobs: BlobStore) {}

  /** Writes the bytes to tmp/ unsynced; the reference is final, the file is not there until `flush`. */
  async save(content: NodeJS.ReadableStream | Buffer): Promise<BlobInfo> {
    const blob = await this.blobs.writeTemp(content);
    this.pending.push(blob);
    return { ref: blob.ref, size: blob.size };
  }

  /** Takes on blobs another thread wrote to tmp/ unsynced (a parse thread: engine/parsing/parse-pool.ts). */
  adopt(written: readonly WrittenBlob[]): void {
    this.pending.push(...written);
  }

  /** Hands what was saved, unsynced, to another batch (a parse thread's to the processing thread's: adopt). */
  handOver(): WrittenBlob[] {
    const pending = this.pending;
    this.pending = [];
    return pending;
  }

  /** Makes every blob saved so far durable under its hash; throws (and leaves none half-placed) when one cannot be. */
  async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    if (pending.length === 0) return;
    const synced = await Promise.all(pending.map(async (blob) => {
      try {
        const handle = await open(blob.tmp, 'r+');
        try {
          await handle.sync();
          countSync('fileSyncs');
        } finally {
          await handle.close();
        }
        return blob;
      } catch (error) {
        return { error: await this.blobs.failed(error, blob.tmp) };
      }
    }));
    const placed = await this.blobs.place(synced);
    const failed = placed.find((b): b is { error: Error } => 'error' in b);
    if (failed) {
      // Its code kept: callers tell a full disk (ENOSPC) from other failures by it.
      const { code } = failed.error as NodeJS.ErrnoException;
      throw Object.assign(new Error(`could not store an attachment: ${failed.error.message}`, { cause: failed.error }), code === undefined ? {} : { code });
    }
  }

  /** Drops what was saved and not flushed (the batch did not commit). */
  async discard(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending.map((b) => rm(b.tmp, { force: true })));
  }
}
