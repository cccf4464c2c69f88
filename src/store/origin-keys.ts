// Which of a listing's origin keys (a server's name for a message: folder, UIDVALIDITY and UID, or a
// POP3 UIDL) a profile already has rows for: in its inbox, or among the messages it leaves alone
// (sources/known.ts). Asked in chunks: a first listing can name a whole mailbox.
import { chunksOf } from './chunks.js';
import type { Db } from './database.js';

export async function originKeysIn(db: Db, table: 'inbox_items' | 'source_known', profileId: number, keys: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const chunk of chunksOf(keys)) {
    // One table at a time: Kysely's types cannot follow a union of table names through the query.
    const rows = await db
      .selectFrom(table as 'inbox_items')
      .select('origin_key')
      .where('profile_id', '=', profileId)
      .where('origin_key', 'in', chunk)
      .execute();
    for (const r of rows) found.add(r.origin_key);
  }
  return found;
}
