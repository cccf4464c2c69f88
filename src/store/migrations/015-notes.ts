// A note on an item is a comment nobody wrote: what mailbind itself has to tell about the item, such as
// a bounce of the acknowledgement we sent its requester (issue 12). It keeps the comments' place on the
// item page and in the API, and `kind` tells the two apart so a note is never read as the requester's words.
import type { Kysely } from 'kysely';

export function createNotesMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('comments').addColumn('kind', 'text', (c) => c.notNull().defaultTo('comment')).execute();
    },
  };
}
