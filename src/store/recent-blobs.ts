// Raw messages this process has just stored, kept in memory until it parses them (issue 14). Intake and
// processing share a process (fetch --once, the service), and reading back what was written a moment
// earlier competed with the next batch's fsyncs for libuv's few threads: parsing a group waited about
// 1.7 ms per message for its reads. Kept up to one batch's byte bound, the oldest dropped first, so a
// poll still holds at most two batches of bytes (the one kept, the one downloading) whether or not this
// process processes them; processing, which overlaps the next download, takes what it parses. A blob
// not found here is read from its file, as it always can be. What is kept is exactly the file's content:
// a blob is named by the hash of its bytes.
export class RecentBlobs {
  private readonly byPath = new Map<string, Buffer>();
  private bytes = 0;

  /** Keeps `content` under `path`, then drops the oldest until at most `limit` bytes are kept. */
  put(path: string, content: Buffer, limit: number): void {
    if (!this.byPath.has(path)) {
      this.byPath.set(path, content);
      this.bytes += content.length;
    }
    for (const [oldest, kept] of this.byPath) {
      if (this.bytes <= limit) break;
      this.byPath.delete(oldest);
      this.bytes -= kept.length;
    }
  }

  /** The bytes, handed over once: a second parse (a retry) reads the file. */
  take(path: string): Buffer | undefined {
    const content = this.byPath.get(path);
    if (content) {
      this.byPath.delete(path);
      this.bytes -= content.length;
    }
    return content;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.byPath.size, bytes: this.bytes };
  }
}

/** The process's one cache. */
export const recentRawBlobs = new RecentBlobs();
