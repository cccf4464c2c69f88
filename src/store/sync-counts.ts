// How often mailbind makes something durable: fsyncs of blob files and of their folders, and database
// commits (SQLite: an explicit COMMIT or a write outside a transaction; in WAL mode with synchronous
// FULL each is one fsync of the WAL). Plain counters, cheap enough to keep on: the ingest benchmark
// reports them per message, and tests use them to prove one durability barrier per batch. Counts
// only ever grow; callers take a snapshot before and subtract.
export interface SyncCounts {
  fileSyncs: number;
  dirSyncs: number;
  commits: number;
}

const counts: SyncCounts = { fileSyncs: 0, dirSyncs: 0, commits: 0 };

export function countSync(kind: keyof SyncCounts): void {
  counts[kind]++;
}

export function syncCounts(): SyncCounts {
  return { ...counts };
}

/** What happened between two snapshots. */
export function syncsSince(before: SyncCounts): SyncCounts {
  return { fileSyncs: counts.fileSyncs - before.fileSyncs, dirSyncs: counts.dirSyncs - before.dirSyncs, commits: counts.commits - before.commits };
}
