// Running services (serve, worker) and their heartbeats: a mail server's `deliver` leaves processing
// to a live service instead of loading the engine itself.
import type { Kysely } from 'kysely';

export function createServicesMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('services')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('beat_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
