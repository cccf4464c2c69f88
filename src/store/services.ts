// Which services (serve, worker) are running: each writes a heartbeat while it lives and removes its
// row when it stops. A row whose heartbeat is older than a few beats belongs to a dead process.
import type { Db } from './database.js';
import { now } from './database.js';

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
  const at = now();
  await db.insertInto('services').values({ ...service, started_at: at, beat_at: at }).execute();
}

/** The heartbeat; it registers the service again should its row have gone (pruned during an outage). */
export async function beat(db: Db, service: ServiceRecord): Promise<void> {
  const at = now();
  await db
    .insertInto('services')
    .values({ ...service, started_at: at, beat_at: at })
    .onConflict((oc) => oc.column('id').doUpdateSet({ beat_at: at }))
    .execute();
}

export async function unregisterService(db: Db, id: string): Promise<void> {
  await db.deleteFrom('services').where('id', '=', id).execute();
}

/** The moment before which a heartbeat means its service is dead. */
export function staleBefore(at = Date.now()): string {
  return new Date(at - HEARTBEAT_MS * MISSED_BEATS).toISOString();
}

/** Whether any service has beaten recently enough to be alive (and so processes the inbox). */
export async function anyLiveService(db: Db, at = Date.now()): Promise<boolean> {
  const row = await db.selectFrom('services').select('id').where('beat_at', '>', staleBefore(at)).limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * Forget services dead for long: by then every lease they held has run out, so their rows no longer
 * help anyone tell a dead holder from a live one.
 */
export async function pruneDeadServices(db: Db, olderThanMs = 10 * 60_000, at = Date.now()): Promise<void> {
  await db.deleteFrom('services').where('beat_at', '<', new Date(at - olderThanMs).toISOString()).execute();
}
