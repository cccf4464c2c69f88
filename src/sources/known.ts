// Server messages a profile knows and leaves alone without an inbox item: those present before the
// profile's first run ("from-now") or older than its "since" date. (Rows with why 'uidvalidity-dedupe'
// come from older versions, which recognised mail imported under an earlier IMAP UIDVALIDITY here;
// such mail is now stored as a visible duplicate item.)
import type { Db } from '../store/database.js';
import { chunksOf } from '../store/chunks.js';

export async function knownKeys(db: Db, profileId: number, keys: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const chunk of chunksOf(keys)) {
    const rows = await db
      .selectFrom('source_known')
      .select('origin_key')
      .where('profile_id', '=', profileId)
      .where('origin_key', 'in', chunk)
      .execute();
    for (const r of rows) found.add(r.origin_key);
  }
  return found;
}

export async function addKnownKeys(db: Db, profileId: number, keys: string[], why: string): Promise<void> {
  for (const chunk of chunksOf(keys)) {
    await db
      .insertInto('source_known')
      .values(chunk.map((origin_key) => ({ profile_id: profileId, origin_key, why })))
      .onConflict((oc) => oc.columns(['profile_id', 'origin_key']).doNothing())
      .execute();
  }
}
