// What the per-sender rate limit (issue 12, loop defence) reads from the inbox: how many of one
// sender's messages reached the rules in a profile in the hour before a moment (the decision), and which
// senders were held lately (for the alert). Each is one lookup on an index of migration 014.
import { indexable } from '../mail/indexable.js';
import type { Db } from './database.js';
import { sql } from './database.js';

/** How every rate-limited message's reason begins: the engine writes it, the alert check finds it by it. */
export const RATE_LIMITED_REASON = 'rate limited: ';

/** The window the limit counts in: the hour before the decision. */
export const SENDER_RATE_WINDOW_MS = 60 * 60 * 1000;

/** One sender's mail in a profile in the hour before a message. */
export interface SenderHistory {
  /** Messages that reached the rules or became comments (imported, commented, skipped, ignored by a rule). */
  reached: number;
  /** Messages held by the rate limit. They do not count towards it: only what got through does. */
  held: number;
}

export async function senderHistory(
  db: Db,
  at: { profileId: number; email: string; receivedAt: string; excludeItemId?: number },
): Promise<SenderHistory> {
  const since = new Date(Date.parse(at.receivedAt) - SENDER_RATE_WINDOW_MS).toISOString();
  // The (profile_id, from_address, received_at) index gives exactly this sender's last hour; the
  // outcome is read from those rows only. from_address is the lowercased sender a decision recorded.
  const row = await db
    .selectFrom('inbox_items')
    .select([
      sql<number>`coalesce(sum(case when outcome in ('imported', 'commented', 'skipped') or (outcome = 'ignored' and rule_line is not null) then 1 else 0 end), 0)`.as('reached'),
      sql<number>`coalesce(sum(case when outcome = 'ignored' and rule_line is null and reason like ${`${RATE_LIMITED_REASON}%`} then 1 else 0 end), 0)`.as('held'),
    ])
    .where('profile_id', '=', at.profileId)
    .where('from_address', '=', indexable(at.email.toLowerCase()))
    .where('received_at', '>', since)
    .where('received_at', '<=', at.receivedAt)
    .where('id', '<>', at.excludeItemId ?? -1)
    .executeTakeFirst();
  return { reached: Number(row?.reached ?? 0), held: Number(row?.held ?? 0) };
}

/** A sender some of whose messages the rate limit held since a moment. */
export interface HeldSender {
  profileId: number;
  email: string;
  held: number;
  lastAt: string;
}

/** Senders held by the rate limit with an outcome recorded since `since` (ISO), by profile. */
export async function heldSendersSince(db: Db, since: string): Promise<HeldSender[]> {
  const rows = await db
    .selectFrom('inbox_items')
    .select((eb) => ['profile_id', 'from_address', eb.fn.countAll<number>().as('held'), eb.fn.max('processed_at').as('last_at')])
    .where('outcome', '=', 'ignored')
    .where('processed_at', '>=', since)
    .where('rule_line', 'is', null)
    .where('reason', 'like', `${RATE_LIMITED_REASON}%`)
    .where('from_address', 'is not', null)
    .groupBy(['profile_id', 'from_address'])
    .orderBy('profile_id')
    .orderBy('from_address')
    .execute();
  return rows.map((r) => ({ profileId: Number(r.profile_id), email: r.from_address!, held: Number(r.held), lastAt: String(r.last_at) }));
}
