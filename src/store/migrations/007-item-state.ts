// Items gain a state an admin can set (issue 8: "update a request's or item's state"). Every item
// made before this migration is open: nobody had closed one yet.
import type { Kysely } from 'kysely';

export function createItemStateMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('items').addColumn('state', 'text', (c) => c.notNull().defaultTo('open')).execute();
    },
  };
}
