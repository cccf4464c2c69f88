// inSavepoint (src/store/savepoint.ts), on SQLite and PostgreSQL: a part that fails rolls back alone and
// the transaction goes on; outside a transaction it refuses before running anything, where each
// statement would take a connection of its own and a SAVEPOINT would begin a transaction nobody ends.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { inSavepoint } from '../../src/store/savepoint.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

async function storedRefs(t: TestStore, ref: string): Promise<number> {
  const rows = await sql<{ n: number | string }>`select count(*) as n from raw_messages where ref = ${ref}`.execute(t.store.db);
  return Number(rows.rows[0]!.n);
}

for (const dialect of await dialects()) {
  describe(`savepoints on ${dialect}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(dialect);
    });
    after(async () => {
      await t?.cleanup();
    });

    test('a part that fails rolls back alone; the rest of the transaction commits', async () => {
      const refused = await t.store.db.transaction().execute(async (trx) => {
        await sql`insert into raw_messages (ref, bytes) values (${'kept'}, ${Buffer.from('a')})`.execute(trx);
        const part = await inSavepoint(trx, async () => {
          await sql`insert into raw_messages (ref, bytes) values (${'undone'}, ${Buffer.from('b')})`.execute(trx);
          await sql`insert into raw_messages (ref, bytes) values (${'kept'}, ${Buffer.from('again')})`.execute(trx); // primary key taken
        });
        await sql`insert into raw_messages (ref, bytes) values (${'later'}, ${Buffer.from('c')})`.execute(trx);
        return 'refused' in part ? part.refused : undefined;
      });
      assert.ok(refused instanceof Error, 'the part was refused');
      assert.deepEqual([await storedRefs(t, 'kept'), await storedRefs(t, 'undone'), await storedRefs(t, 'later')], [1, 0, 1]);
    });

    test('outside a transaction it refuses, and runs nothing', async () => {
      let ran = false;
      await assert.rejects(inSavepoint(t.store.db, async () => {
        ran = true;
        await sql`insert into raw_messages (ref, bytes) values (${'outside'}, ${Buffer.from('d')})`.execute(t.store.db);
      }), /inSavepoint needs a transaction/);
      assert.equal(ran, false);
      assert.equal(await storedRefs(t, 'outside'), 0);
    });
  });
}
