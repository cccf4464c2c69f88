// How many times each inbox item was taken over from a holder that stopped while holding it (crashed,
// killed, hung past its lease). A message that makes mailbind crash while processing it was claimed again
// by the next process, crashed that one too, and so on forever, taking the messages claimed beside it
// along every time: nothing else was processed. Counting takeovers lets a claim take such an item alone
// and, after it stopped its holder while alone twice, give it a failed outcome instead (store/inbox.ts).
import type { Kysely } from 'kysely';

export function createTakeoversMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('inbox_items').addColumn('takeovers', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  };
}
