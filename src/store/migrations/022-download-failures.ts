// The messages a poll found on the server and could not download (refused by the server, or their rows
// by the database), with each one's error and since when it fails: a successful poll with such messages
// looked healthy, and each of them stayed on the server, named only in the log (sources/status.ts).
import type { Kysely } from 'kysely';

export function createDownloadFailuresMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('profile_status').addColumn('download_failures', 'text').execute();
    },
  };
}
