// Mailbox sources: acknowledgement of processed messages on the server, the first-run baseline, and
// each profile's polling status.
import type { Kysely } from 'kysely';
import type { Dialect } from './001-initial.js';

export function createSourcesMigration(dialect: Dialect) {
  const idType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>): Promise<void> {
      // null: nothing to do on a server (import, pipe); 'pending': waits for its after-processing
      // action (seen, move, delete); 'done': applied.
      await db.schema.alterTable('inbox_items').addColumn('ack_state', 'text').execute();
      await db.schema.alterTable('inbox_items').addColumn('ack_action', 'text').execute();
      await db.schema.createIndex('inbox_items_ack').on('inbox_items').columns(['profile_id', 'ack_state']).execute();

      // Server messages a profile deliberately leaves alone: there before the profile (first run
      // "from-now"), older than its "since" date, or already imported under an earlier UIDVALIDITY.
      await db.schema
        .createTable('source_known')
        .addColumn('profile_id', idType, (c) => c.notNull().references('profiles.id').onDelete('cascade'))
        .addColumn('origin_key', 'text', (c) => c.notNull())
        .addColumn('why', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('source_known_pk', ['profile_id', 'origin_key'])
        .execute();

      await db.schema
        .createTable('profile_status')
        .addColumn('profile_id', idType, (c) => c.primaryKey().references('profiles.id').onDelete('cascade'))
        .addColumn('baseline_at', 'text')
        .addColumn('last_poll_at', 'text')
        .addColumn('last_success_at', 'text')
        .addColumn('last_error_at', 'text')
        .addColumn('last_error', 'text')
        .addColumn('next_poll_at', 'text')
        .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
        /** JSON: source-specific cursor (IMAP folder, UIDVALIDITY, highest UID seen). */
        .addColumn('cursor', 'text')
        // Which worker polls this mailbox now; several workers (PostgreSQL) never poll one mailbox twice.
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'text')
        .execute();
    },
  };
}
