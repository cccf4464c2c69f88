// Statements built once and run with each call's values (src/store/compiled-once.ts), on SQLite and
// PostgreSQL. The statements are made once at the top and shared by both databases, as the real ones
// are: each database compiles its own text (? on SQLite, $1 on PostgreSQL).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { compiledOnce } from '../../src/store/compiled-once.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

let builds = 0;
const addRequester = compiledOnce((db, v: { email: string; name: string; companyId?: number | null | undefined; createdAt: string }) => {
  builds++;
  return db
    .insertInto('requesters')
    .values({ email: v.email, name: v.name, created_at: v.createdAt, ...(v.companyId !== undefined ? { company_id: v.companyId } : {}) })
    .returning(['id', 'company_id']);
});

let listBuilds = 0;
const requestersNamed = compiledOnce((db, v: { emails: string[] }) => {
  listBuilds++;
  return db.selectFrom('requesters').select(['email', 'name']).where('email', 'in', v.emails).orderBy('email');
});

const renameRequester = compiledOnce((db, v: { email: string; name: string }) =>
  db.updateTable('requesters').set({ name: v.name }).where('email', '=', v.email));

/** Sees every query Kysely compiles for the instance it is added to. */
class QuerySeer implements KyselyPlugin {
  seen = 0;
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    this.seen++;
    return node;
  }
  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }
}

for (const dialect of await dialects()) {
  describe(`statements compiled once on ${dialect}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(dialect);
    });
    after(() => t?.cleanup());

    test("each call binds its own values, and a shape is built once per database", async () => {
      const before = builds;
      const ids = [];
      for (const [i, at] of ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z'].entries()) {
        ids.push(Number((await addRequester(t.store.db, { email: `p${i}@bind.example`, name: `Person ${i}`, createdAt: at })).rows[0]!.id));
      }
      assert.equal(builds - before, 1, 'three calls of one shape: built once');
      assert.equal(new Set(ids).size, 3);
      const rows = await t.store.db.selectFrom('requesters').select(['email', 'name', 'created_at']).where('email', 'like', 'p%@bind.example').orderBy('email').execute();
      assert.deepEqual(rows.map((r) => [r.email, r.name, r.created_at]), [
        ['p0@bind.example', 'Person 0', '2026-01-01T00:00:00.000Z'],
        ['p1@bind.example', 'Person 1', '2026-01-02T00:00:00.000Z'],
        ['p2@bind.example', 'Person 2', '2026-01-03T00:00:00.000Z'],
      ]);
    });

    test('a value given or undefined is another shape: the undefined column is left out, not bound', async () => {
      const company = Number((await t.store.db.insertInto('companies').values({ name: 'Shape Co' }).returning('id').executeTakeFirstOrThrow()).id);
      const before = builds;
      const withCompany = await addRequester(t.store.db, { email: 'c1@shape.example', name: 'C1', createdAt: 'x', companyId: company });
      const withNull = await addRequester(t.store.db, { email: 'c2@shape.example', name: 'C2', createdAt: 'x', companyId: null });
      const without = await addRequester(t.store.db, { email: 'c3@shape.example', name: 'C3', createdAt: 'x', companyId: undefined });
      const again = await addRequester(t.store.db, { email: 'c4@shape.example', name: 'C4', createdAt: 'x', companyId: company });
      assert.deepEqual([withCompany, withNull, without, again].map((r) => r.rows[0]!.company_id), [company, null, null, company]);
      assert.equal(builds - before, 2, 'a number and null share the shape "given"; undefined is the other');
    });

    test('a list is bound element by element; each length is a shape of its own', async () => {
      for (const name of ['l1', 'l2', 'l3']) await addRequester(t.store.db, { email: `${name}@list.example`, name, createdAt: 'x' });
      const before = listBuilds;
      const named = async (emails: string[]) => (await requestersNamed(t.store.db, { emails })).rows.map((r) => r.name);
      assert.deepEqual(await named(['l1@list.example']), ['l1']);
      assert.deepEqual(await named(['l3@list.example']), ['l3']);
      assert.deepEqual(await named(['l3@list.example', 'l1@list.example']), ['l1', 'l3']);
      assert.deepEqual(await named(['l2@list.example', 'nobody@list.example']), ['l2']);
      assert.equal(listBuilds - before, 2, 'lengths 1 and 2');
    });

    test('a write without RETURNING reports the rows it changed', async () => {
      await addRequester(t.store.db, { email: 'r@rename.example', name: 'Old', createdAt: 'x' });
      assert.equal((await renameRequester(t.store.db, { email: 'r@rename.example', name: 'New' })).numAffectedRows, 1n);
      assert.equal((await renameRequester(t.store.db, { email: 'none@rename.example', name: 'New' })).numAffectedRows, 0n);
    });

    test("in a transaction it runs on the transaction's connection: rolled back with it", async () => {
      await assert.rejects(t.store.db.transaction().execute(async (trx) => {
        await addRequester(trx, { email: 'gone@trx.example', name: 'Gone', createdAt: 'x' });
        assert.equal((await requestersNamed(trx, { emails: ['gone@trx.example'] })).rows.length, 1, 'seen inside');
        throw new Error('roll back');
      }), /roll back/);
      assert.equal((await requestersNamed(t.store.db, { emails: ['gone@trx.example'] })).rows.length, 0);
    });

    test('a value the build function makes itself, reads, or takes apart is refused', async () => {
      const frozen = compiledOnce((db, v: { email: string }) =>
        db.insertInto('requesters').values({ email: v.email, name: v.email, created_at: new Date().toISOString() }));
      await assert.rejects(frozen(t.store.db, { email: 'f@frozen.example' }), /compiledOnce: parameter 3 of "insert into "requesters".* is not one of the statement's values; pass it in/);
      const peeked = compiledOnce((db, v: { email: string }) =>
        db.insertInto('requesters').values({ email: `${v.email}`.toLowerCase(), name: 'n', created_at: 'x' }));
      await assert.rejects(peeked(t.store.db, { email: 'P@peek.example' }), /the value 'email' was read while the statement was built/);
      const whole = compiledOnce((db, v: { person: { email: string; name: string } }) =>
        db.insertInto('requesters').values({ email: v.person.email, name: v.person.name, created_at: 'x' }));
      await assert.rejects(whole(t.store.db, { person: { email: 'o@object.example', name: 'O' } }), /the value 'person' is an object; give each of its fields as a value of its own/);
      assert.equal((await requestersNamed(t.store.db, { emails: ['f@frozen.example', 'p@peek.example', 'o@object.example'] })).rows.length, 0);
    });

    test('through an instance with a plugin, the statement is built for each call and the plugin sees each', async () => {
      const seer = new QuerySeer();
      const db = t.store.db.withPlugin(seer);
      const before = builds;
      await addRequester(db, { email: 'p1@plugin.example', name: 'P1', createdAt: 'x' });
      await addRequester(db, { email: 'p2@plugin.example', name: 'P2', createdAt: 'x' });
      assert.equal(seer.seen, 2);
      assert.equal(builds - before, 2);
      assert.deepEqual((await requestersNamed(t.store.db, { emails: ['p1@plugin.example', 'p2@plugin.example'] })).rows.map((r) => r.name), ['P1', 'P2']);
    });
  });
}
