// A failing profile says since when: the first failure of the current streak, which last_error_at
// (rewritten by every failed poll) cannot tell. A streak already running when this migration runs
// has no better start on record than its latest failure, so that is what it gets.
import { sql, type Kysely } from 'kysely';

export function createFailingSinceMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('profile_status').addColumn('failing_since', 'text').execute();
      await db
        .updateTable('profile_status')
        .set({ failing_since: sql.ref('last_error_at') })
        .where('consecutive_failures', '>', 0)
        .execute();
    },
  };
}
