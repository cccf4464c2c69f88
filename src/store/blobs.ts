// Content-addressed files under DATA_DIR/blobs: the raw messages and every attachment. A blob is
// written to a temp file while hashed, fsynced, then renamed to its hash, so a crash never leaves a
// half-written blob under a real name, and storing the same bytes twice costs nothing. Blobs are
// people's mail: folders 0700, files 0600.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, readdir, rename, rm, stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AttachmentSink } from '../mail/message.js';
import { withFullDiskNamed } from './full-disk.js';
import { countSync } from './sync-counts.js';

export interface BlobInfo {
  ref: string;
  size: number;
}

/** A blob written (and synced) under tmp/, not yet under its hash. */
export interface WrittenBlob extends BlobInfo {
  tmp: string;
}

export class BlobStore implements AttachmentSink {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'blobs');
    try {
      mkdirSync(join(this.root, 'tmp'), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw this.named(error);
    }
  }

  pathOf(ref: string): string {
    if (!/^[0-9a-f]{64}$/.test(ref)) throw new Error(`not a blob reference: ${ref}`);
    return join(this.root, ref.slice(0, 2), ref);
  }

  /** Store a stream (or bytes). */
  async save(content: NodeJS.ReadableStream | Buffer): Promise<BlobInfo> {
    const { tmp, ref, size } = await this.writeTemp(content);
    try {
      await syncFile(tmp);
      const dir = join(this.root, ref.slice(0, 2));
      // A new shard folder is durable only once its parent's entry is on disk too.
      if (mkdirSync(dir, { recursive: true, mode: 0o700 })) await syncDir(this.root);
      await rename(tmp, join(dir, ref));
      await syncDir(dir);
    } catch (error) {
      throw await this.failed(error, tmp);
    }
    return { ref, size };
  }

  /** Writes the bytes to a file under tmp/ while hashing them; not synced, not yet under its hash. */
  async writeTemp(content: NodeJS.ReadableStream | Buffer): Promise<WrittenBlob> {
    const tmp = join(this.root, 'tmp', randomBytes(12).toString('hex'));
    const hash = createHash('sha256');
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const source = Buffer.isBuffer(content) ? Readable.from([content]) : (content as NodeJS.ReadableStream);
    try {
      await pipeline(source, counter, createWriteStream(tmp, { mode: 0o600 }));
    } catch (error) {
      throw await this.failed(error, tmp);
    }
    return { tmp, ref: hash.digest('hex'), size };
  }

  /**
   * Stores several byte buffers with one durability barrier instead of one per blob: every file is
   * written and fsynced at once (in parallel), renamed to its hash, and then each shard folder touched
   * is fsynced once (and the blobs folder, when a shard folder is new). When this resolves, every
   * blob it reports stored is on disk under its real name. A blob that cannot be stored (its folder
   * unusable, the disk full) is reported alone, with its error; the others are still stored.
   */
  async saveAll(contents: readonly Buffer[]): Promise<Array<BlobInfo | { error: Error }>> {
    const written: Array<WrittenBlob | { error: Error }> = await Promise.all(contents.map(async (content) => {
      const tmp = join(this.root, 'tmp', randomBytes(12).toString('hex'));
      try {
        const handle = await open(tmp, 'wx', 0o600);
        try {
          await handle.writeFile(content);
          await handle.sync();
          countSync('fileSyncs');
        } finally {
          await handle.close();
        }
        return { tmp, ref: refOf(content), size: content.length };
      } catch (error) {
        return { error: await this.failed(error, tmp) };
      }
    }));
    return this.place(written);
  }

  /**
   * Renames blobs written and synced under tmp/ to their hashes, then syncs each shard folder touched
   * once (and the blobs folder, when a shard folder is new). When this resolves, every blob it reports
   * stored is on disk under its real name.
   */
  async place(written: ReadonlyArray<WrittenBlob | { error: Error }>): Promise<Array<BlobInfo | { error: Error }>> {
    let newShard = false;
    const shards = new Set<string>();
    const placed = await Promise.all(written.map(async (blob) => {
      if ('error' in blob) return blob;
      const dir = join(this.root, blob.ref.slice(0, 2));
      try {
        if (mkdirSync(dir, { recursive: true, mode: 0o700 })) newShard = true;
        await rename(blob.tmp, join(dir, blob.ref));
        shards.add(dir);
        return blob;
      } catch (error) {
        return { error: await this.failed(error, blob.tmp) };
      }
    }));
    // A rename is durable once its folder is; a new shard folder once the blobs folder is.
    const dirs = [...shards, ...(newShard ? [this.root] : [])];
    const synced = new Map(await Promise.all(dirs.map(async (dir) => [dir, await syncDir(dir).then(() => null, (e: unknown) => this.named(e))] as const)));
    return placed.map((blob) => {
      if ('error' in blob) return blob;
      const failed = synced.get(join(this.root, blob.ref.slice(0, 2))) ?? synced.get(this.root) ?? null;
      return failed ? { error: failed } : { ref: blob.ref, size: blob.size };
    });
  }

  /**
   * Removes what a killed process left in tmp/ (a blob written and never placed): entries older than
   * `olderThanMs`, so that a file another process is writing right now is never taken. Answers how many.
   */
  async sweepTemp(olderThanMs: number): Promise<number> {
    const dir = join(this.root, 'tmp');
    const before = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      try {
        if ((await stat(path)).mtimeMs < before) {
          await rm(path, { force: true });
          removed++;
        }
      } catch {
        // Placed or removed by its writer meanwhile.
      }
    }
    return removed;
  }

  /** A failed write as a person should read it: a full disk (or quota) named, with this store's folder (full-disk.ts). */
  named(error: unknown): Error {
    const named = withFullDiskNamed(error, this.root);
    return named instanceof Error ? named : new Error(String(named));
  }

  /**
   * `error` named, then the temp file it left removed: in that order, so that the room it gave back is not
   * read as room the disk had (a full disk would read as "no space left" instead of "full (0 bytes free)").
   */
  async failed(error: unknown, tmp: string): Promise<Error> {
    const named = this.named(error);
    await rm(tmp, { force: true });
    return named;
  }

  open(ref: string): Readable {
    return createReadStream(this.pathOf(ref));
  }

  read(ref: string): Promise<Buffer> {
    return readFile(this.pathOf(ref));
  }

  async has(ref: string): Promise<boolean> {
    try {
      await stat(this.pathOf(ref));
      return true;
    } catch {
      return false;
    }
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
    countSync('fileSyncs');
  } finally {
    await handle.close();
  }
}

// The rename is durable only once the directory entry is on disk.
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
    countSync('dirSyncs');
  } finally {
    await handle.close();
  }
}

/** A blob's name: the SHA-256 of its bytes. */
export function refOf(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** A sink that only measures and hashes: for dry runs, which must change nothing on disk. */
export const discardingSink = {
  async save(content: NodeJS.ReadableStream): Promise<BlobInfo> {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of content as AsyncIterable<Buffer>) {
      size += chunk.length;
      hash.update(chunk);
    }
    return { ref: hash.digest('hex'), size };
  },
};
