// Workers claiming at the same moment on PostgreSQL never get the same item (claimDueItems: FOR UPDATE
// SKIP LOCKED). PostgreSQL re-checks a row another worker changed meanwhile only against the conditions
// of the query that locks it, so the due conditions must be in that query: when the claim found its
// candidates in a subquery and locked them outside it without them, eight claimers over 3,000 items
// gave two or three items to two workers each run.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { createProfile } from '../../src/store/profiles.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { claimDueItems } from '../../src/store/inbox.js';

const ITEMS = 3000;
const CLAIMERS = 8;

// Required on CI: dialects() throws there when PostgreSQL is not reachable.
const onPostgres = (await dialects()).includes('postgres');

describe('concurrent claims on postgres', { skip: !onPostgres && 'PostgreSQL is not reachable' }, () => {
  let t: TestStore;
  before(async () => {
    t = await openTestStore('postgres');
    const profile = await createProfile(t.store.db, { name: 'race', rules: 'then attach to project 1\n' });
    await intakeMessage(t.store, makeMessage({ subject: 'one of many' }), { profileId: profile.id });
    // Copies of that row, quickly: the race needs many items, not many messages.
    const columns = (await sql<{ column_name: string }>`select column_name from information_schema.columns
      where table_name = 'inbox_items' and table_schema = current_schema() and column_name not in ('id', 'origin_key')`.execute(t.store.db)).rows;
    const list = sql.raw(columns.map((c) => `"${c.column_name}"`).join(', '));
    await sql`insert into inbox_items (origin_key, ${list}) select 'copy-' || g, ${list} from inbox_items, generate_series(1, ${ITEMS - 1}) g`.execute(t.store.db);
  });
  after(() => t.cleanup());

  test(`${CLAIMERS} claimers over ${ITEMS} items: every item claimed exactly once`, async () => {
    const owners = new Map<number, string[]>();
    const claimer = async (name: string) => {
      for (;;) {
        const got = await claimDueItems(t.store, { limit: 20, leaseMs: 600_000, owner: name });
        if (got.length === 0) return;
        for (const item of got) owners.set(item.id, [...(owners.get(item.id) ?? []), name]);
      }
    };
    await Promise.all(Array.from({ length: CLAIMERS }, (_, i) => claimer(`claimer-${i}`)));
    assert.equal(owners.size, ITEMS);
    assert.deepEqual([...owners].filter(([, by]) => by.length > 1), []);
  });
});

// Each lookup of a claim takes only its first items by id (store/inbox.ts, dueItems), so it must pass
// over the ones another worker's claim has locked: a lookup that found only those would leave the claim
// empty while items wait, and the worker would take "nothing due" for an answer.
describe('a claim behind another worker’s on postgres', { skip: !onPostgres && 'PostgreSQL is not reachable' }, () => {
  let t: TestStore;
  before(async () => {
    t = await openTestStore('postgres');
  });
  after(() => t.cleanup());

  test('takes the next items while the first ones are locked by a claim in progress', async () => {
    const profile = await createProfile(t.store.db, { name: 'behind', rules: 'then attach to project 1\n' });
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push((await intakeMessage(t.store, makeMessage({ subject: `behind ${i}` }), { profileId: profile.id })).item.id);
    ids.sort((a, b) => a - b);
    await t.store.db.transaction().execute(async (trx) => {
      // Another worker's claim, between its lookup and its commit: the first 20 items locked.
      await trx.selectFrom('inbox_items').select('id').where('id', 'in', ids.slice(0, 20)).forUpdate().execute();
      const got = await claimDueItems(t.store, { limit: 20, leaseMs: 60_000, owner: 'second', profileId: profile.id });
      assert.deepEqual(got.map((i) => i.id), ids.slice(20));
    });
  });
});
