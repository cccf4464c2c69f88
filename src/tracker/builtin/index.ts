// The builtin tracker: tables in mailbind's own database.
import type { Db } from '../../store/database.js';
import type { SnapshotRequest, Tracker, TrackerSnapshot, TrackerWriter } from '../port.js';
import { loadDirectory, loadSnapshot, type Directory } from './snapshot.js';
import { BuiltinTrackerWriter } from './writer.js';

export * from './admin.js';

export class BuiltinTracker implements Tracker<Db> {
  /**
   * The directory (projects, staff, teams) each transaction read first. Processing a group of messages
   * in one transaction (engine/process.ts) read them again for every message: three of its ~20 statements.
   * Processing writes none of them (only an admin does, never in such a transaction), and a SQLite group
   * transaction holds the write lock, so what the first message read is what every later one would. On
   * PostgreSQL an admin's change committed meanwhile is seen by the next transaction instead of the next
   * message: a group lasts a fraction of a second, about as long as a change takes to reach a worker anyway.
   */
  private readonly directories = new WeakMap<Db, Promise<Directory>>();

  constructor(private readonly db: Db) {}

  snapshot(request: SnapshotRequest, transaction?: Db): Promise<TrackerSnapshot> {
    if (!transaction) return loadSnapshot(this.db, request);
    let directory = this.directories.get(transaction);
    if (!directory) {
      directory = loadDirectory(transaction);
      this.directories.set(transaction, directory);
      // A read that failed is not kept: the transaction is rolled back, or the caller tries again.
      directory.catch(() => {
        if (this.directories.get(transaction) === directory) this.directories.delete(transaction);
      });
    }
    return directory.then((loaded) => loadSnapshot(transaction, request, loaded));
  }

  writer(transaction: Db): TrackerWriter {
    return new BuiltinTrackerWriter(transaction);
  }
}
export * from './items.js';
