// Who holds an inbox item while processing it: a service id (see services) or a command's own id, so
// that a claim whose holder died is taken over at once instead of after its lease.
import type { Kysely } from 'kysely';

export function createClaimsMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('inbox_items').addColumn('claimed_by', 'text').execute();
    },
  };
}
