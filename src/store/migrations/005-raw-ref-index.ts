// Duplicates are found at intake by their bytes (content-addressed raw_ref) when a message has no
// Message-ID: an index keeps that lookup from reading a profile's whole inbox.
import type { Kysely } from 'kysely';

export function createRawRefIndexMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('inbox_items_raw_ref').on('inbox_items').columns(['profile_id', 'raw_ref']).execute();
    },
  };
}
