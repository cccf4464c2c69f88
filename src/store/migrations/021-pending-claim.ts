// PostgreSQL only: two indexes of the pending items alone, for the claim's pending lookup (store/inbox.ts,
// dueItems). Migration 020's claim indexes hold every state's items; with them PostgreSQL's planner,
// which supposes the items it looks for spread evenly over the ids, walked the primary key past every
// done item instead whenever the waiting items were a large share of the inbox: during an import, and on
// an idle claim while many waited out a backoff (7–14 ms per claim at 50,000 done, bench/claims.ts).
// Waiting items are never spread evenly: they are the newest, behind the done ones. Only pending rows
// are in these, so they stay small and cost a write only while an item is pending.
//
// - inbox_items_pending (id, time): the pending items in id order, smaller than the primary key while
//   they are under about two fifths of the table, which the planner then prefers for the lookup in more
//   of those shapes (not all: docs/benchmarks.md).
// - inbox_items_pending_time (time): the earliest retry time, which the lookup asks for first; when it
//   lies ahead no pending item is due, and the lookup is not run (a one-time filter), whatever its plan.
//   `attempts >= 0` holds for every row (a constraint added here says so); it is in the condition so
//   that only that question, which says it, may use this index: the lookup must read in id order (020),
//   and with an index whose condition it says, a prepared statement's generic plan chose this one and a
//   sort of every due item for it. The question (dueItems) must say this condition word for word.
//
// SQLite, which gathers no statistics, reads 020's claim indexes already: its idle claim passes the
// items in a backoff in the index (1–1.6 ms with 20,000), and it gets none of these.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './001-initial.js';

export function createPendingClaimMigration(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (dialect !== 'postgres') return;
      await db.schema.createIndex('inbox_items_pending').on('inbox_items').columns(['id', 'next_attempt_at'])
        .where(sql.ref('state'), '=', 'pending').execute();
      // The gate's question is implied by the lookup's own conditions only while no item has fewer than
      // no attempts: true of every write (intake 0, a failure one more, a retry 0 again), kept true here.
      await sql`alter table inbox_items add constraint inbox_items_attempts_not_negative check (attempts >= 0)`.execute(db);
      await db.schema.createIndex('inbox_items_pending_time').on('inbox_items').column('next_attempt_at')
        .where((eb) => eb.and([eb(sql.ref('state'), '=', 'pending'), eb(sql.ref('attempts'), '>=', 0)])).execute();
    },
  };
}
