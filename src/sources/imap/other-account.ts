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
//
// A poll of the old account may still be under way when the profile changes (a worker sees the change
// within seconds, another process made it). Whatever it writes of the account's keys (its batches with
// their cursor, the keys it leaves alone) is written only after checking, under the profile's intake
// lock, that the profile still reads that account (stillReads); otherwise it is rolled back, nothing of
// it acknowledged, and the next poll reads the new account from the start.
import { sql } from 'kysely';
import type { Db } from '../../store/database.js';
import { lockIntake } from '../../store/inbox-intake.js';
import { findProfile } from '../../store/profiles.js';
import { mailboxAccount } from '../profile-settings.js';
import { IMAP_KEY_PREFIX } from './origin.js';

/**
 * Retires the profile's IMAP origin keys and forgets the old account's known keys, inside the transaction
 * `trx` that changes its settings; answers how many items it had.
 */
export async function retireImapKeys(trx: Db, profileId: number): Promise<number> {
  await lockIntake(trx, profileId);
  const pattern = `${IMAP_KEY_PREFIX}%`;
  const retired = await trx.updateTable('inbox_items')
    .set({ origin_key: sql<string>`'retired:' || cast(id as text) || ':' || origin_key` })
    .where('profile_id', '=', profileId)
    .where('origin_key', 'like', pattern)
    .executeTakeFirst();
  await trx.deleteFrom('source_known').where('profile_id', '=', profileId).where('origin_key', 'like', pattern).execute();
  return Number(retired.numUpdatedRows);
}

/** Refuses (throws) unless the profile still reads the account `source` names; call inside the transaction that writes. */
export async function stillReads(trx: Db, profileId: number, source: Parameters<typeof mailboxAccount>[0]): Promise<void> {
  await lockIntake(trx, profileId);
  const now = await findProfile(trx, profileId);
  if (mailboxAccount(now?.source ?? null) !== mailboxAccount(source)) {
    throw new Error('the profile was pointed at another mailbox account during this poll; what the poll took from the old one is not kept, and the next poll reads the new one');
  }
}
