// The builtin tracker: tables in mailbind's own database.
import type { Db } from '../../store/database.js';
import type { SnapshotRequest, Tracker, TrackerSnapshot, TrackerWriter } from '../port.js';
import { loadSnapshot } from './snapshot.js';
import { BuiltinTrackerWriter } from './writer.js';

export * from './admin.js';

export class BuiltinTracker implements Tracker<Db> {
  constructor(private readonly db: Db) {}

  snapshot(request: SnapshotRequest, transaction?: Db): Promise<TrackerSnapshot> {
    return loadSnapshot(transaction ?? this.db, request);
  }

  writer(transaction: Db): TrackerWriter {
    return new BuiltinTrackerWriter(transaction);
  }
}
export * from './items.js';
