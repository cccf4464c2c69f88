// A claim takes the first due items by id (store/inbox.ts, dueItems). With migration 018's index
// (state, profile, time) and the first one's (state, time), the database found every due item and sorted
// them by id to take the first 20: a cost that grew with the waiting items, so taking in a large mailbox
// was quadratic in claims (bench/claims.ts). These hold each state's items in id order, with the time
// beside it so that a pending item not yet due is passed over inside the index: a claim reads as many
// entries as it takes, plus the pending items waiting out a retry's backoff before them (after a
// tracker outage, say: 20,000 of them cost an idle claim 0.8 ms, where the index by time skipped them).
// One for a profile's claims (fetch, import, deliver, a service after intake), one for claims of every
// profile (the service's processing loop). The two indexes by time go: while they were there, SQLite
// (which has no statistics) chose them and sorted. What else read pending items by time (the progress
// of processing in observations.ts) reads the pending range of these.
import type { Kysely } from 'kysely';

export function createClaimOrderMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('inbox_items_claim_profile').on('inbox_items').columns(['state', 'profile_id', 'id', 'next_attempt_at']).execute();
      await db.schema.createIndex('inbox_items_claim_any').on('inbox_items').columns(['state', 'id', 'next_attempt_at']).execute();
      await db.schema.dropIndex('inbox_items_claim').execute();
      await db.schema.dropIndex('inbox_items_due').execute();
    },
  };
}
