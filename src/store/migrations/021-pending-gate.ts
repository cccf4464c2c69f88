// PostgreSQL only: the pending items by retry time, so that a claim first asks whether any pending item
// is due at all (store/inbox.ts, dueItems). After a tracker outage, say, thousands wait out a retry's
// backoff; an idle claim then found none due, but PostgreSQL's planner, estimating from a histogram of
// times the done items fill, expected most of them due and walked the primary key past every item
// instead of the claim index (migration 020): 10–14 ms each time a service looks, once a second per
// lane (bench/claims.ts). With this index the earliest retry time is one index entry away, and when it
// lies ahead the lookup is not run (a one-time filter). Only pending rows are in it, so it stays small
// and done items cost it nothing. SQLite's claim reads the pending items in its claim index whatever is
// due, at 1–1.5 ms when 20,000 wait, and its planner (no statistics) would not choose this index for
// the question without being told to: it gets none.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './001-initial.js';

export const PENDING_TIME_INDEX = 'inbox_items_pending_time';

export function createPendingGateMigration(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (dialect !== 'postgres') return;
      await db.schema.createIndex(PENDING_TIME_INDEX).on('inbox_items').column('next_attempt_at').where(sql.ref('state'), '=', 'pending').execute();
    },
  };
}
