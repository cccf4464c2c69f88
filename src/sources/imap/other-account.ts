// A profile pointed at another IMAP account (another login or host): the keys of the mail taken from the
// old account must no longer stand for the new one's. IMAP names a message by folder, UIDVALIDITY and UID
// (origin.ts), and two accounts' folders can share a UIDVALIDITY (Dovecot takes the second the folder was
// made; providers use small fixed numbers). Left as they were, the old keys hid the new account's messages
// of the same UIDs as already stored, and what was still owed to the old account (delete, move, \Seen)
// was done to the new account's messages of those UIDs, before they were ever stored.
//
// Retired keys (`retired:<item id>:<old key>`) are no IMAP key: nothing the new account lists matches
// them, and an acknowledgement still owed on them is settled as left alone (acks.ts): nothing more is
// done on a server the profile no longer reads. The items, their outcomes and what they created stay.
import { sql } from 'kysely';
import type { Db } from '../../store/database.js';
import { IMAP_KEY_PREFIX } from './origin.js';

/** Retires the profile's IMAP origin keys and forgets the old account's known keys; answers how many items it had. */
export async function retireImapKeys(db: Db, profileId: number): Promise<number> {
  const pattern = `${IMAP_KEY_PREFIX}%`;
  const retired = await db.updateTable('inbox_items')
    .set({ origin_key: sql<string>`'retired:' || cast(id as text) || ':' || origin_key` })
    .where('profile_id', '=', profileId)
    .where('origin_key', 'like', pattern)
    .executeTakeFirst();
  await db.deleteFrom('source_known').where('profile_id', '=', profileId).where('origin_key', 'like', pattern).execute();
  return Number(retired.numUpdatedRows);
}
