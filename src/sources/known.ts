// Server messages a profile knows and leaves alone without an inbox item: those present before the
// profile's first run ("from-now") or older than its "since" date. (Rows with why 'uidvalidity-dedupe'
// come from older versions, which recognised mail imported under an earlier IMAP UIDVALIDITY here;
// such mail is now stored as a visible duplicate item.)
import type { Db } from '../store/database.js';
import { chunksOf } from '../store/chunks.js';
import { originKeysIn } from '../store/origin-keys.js';

/** Which of these origin keys the profile knows and leaves alone. */
export function knownKeys(db: Db, profileId: number, keys: string[]): Promise<Set<string>> {
  return originKeysIn(db, 'source_known', profileId, keys);
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
