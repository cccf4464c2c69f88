// Which services (serve, worker) are running: each writes a heartbeat while it lives and removes its
// row when it stops. A row whose heartbeat is older than a few beats belongs to a dead process.
// Heartbeats are written and judged by the database's clock (db-clock.ts), never a host's.
import type { Db } from './database.js';
import type { RawBuilder } from 'kysely';
import { dbNow } from './db-clock.js';

export const HEARTBEAT_MS = 5_000;
/** A service that missed this many beats in a row is taken for dead. */
const MISSED_BEATS = 3;

export interface ServiceRecord {
  id: string;
  kind: string;
  host: string;
  pid: number;
}

export async function registerService(db: Db, service: ServiceRecord): Promise<void> {
  await db.insertInto('services').values({ ...service, started_at: dbNow(db), beat_at: dbNow(db) }).execute();
}

/** The heartbeat; it registers the service again should its row have gone (pruned during an outage). */
export async function beat(db: Db, service: ServiceRecord): Promise<void> {
  await db
    .insertInto('services')
    .values({ ...service, started_at: dbNow(db), beat_at: dbNow(db) })
    .onConflict((oc) => oc.column('id').doUpdateSet({ beat_at: dbNow(db) }))
    .execute();
}

export async function unregisterService(db: Db, id: string): Promise<void> {
  await db.deleteFrom('services').where('id', '=', id).execute();
}

/** The moment (by the database's clock) before which a heartbeat means its service is dead. */
export function staleBefore(db: Db): RawBuilder<string> {
  return dbNow(db, -HEARTBEAT_MS * MISSED_BEATS);
}

/** Whether any service has beaten recently enough to be alive (and so processes the inbox). */
export async function anyLiveService(db: Db): Promise<boolean> {
  const row = await db.selectFrom('services').select('id').where('beat_at', '>', staleBefore(db)).limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * Forget services dead for long: by then every lease they held has run out, so their rows no longer
 * help anyone tell a dead holder from a live one.
 */
export async function pruneDeadServices(db: Db, olderThanMs = 10 * 60_000): Promise<void> {
  await db.deleteFrom('services').where('beat_at', '<', dbNow(db, -olderThanMs)).execute();
}
