// Claiming due items looks up pending items whose time has come and processing items whose holder is
// gone, for every profile or one (store/inbox.ts, dueItems). Without an index leading with the state
// and the profile, both databases walked a profile's whole inbox (done items included) on every claim.
import type { Kysely } from 'kysely';

export function createClaimIndexMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('inbox_items_claim').on('inbox_items').columns(['state', 'profile_id', 'next_attempt_at']).execute();
    },
  };
}
