// Loop defence (issue 12): the per-sender rate limit counts one sender's messages of the last hour in
// a profile before each message is decided, and the alert check looks for rate-limited messages of
// the last hour. Both must stay index lookups however large the inbox grows.
import type { Kysely } from 'kysely';

export function createSenderRateMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      // One sender's mail in a profile by arrival: the range the rate limit counts.
      await db.schema.createIndex('inbox_items_sender_received').on('inbox_items').columns(['profile_id', 'from_address', 'received_at']).execute();
      // Recent outcomes of one kind (ignored, for rate-limited alerts) without reading older ones.
      await db.schema.createIndex('inbox_items_outcome_processed').on('inbox_items').columns(['outcome', 'processed_at']).execute();
    },
  };
}
