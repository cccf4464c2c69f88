// Named prepared statements on PostgreSQL (store/pg-prepared.ts, issue 14): a data statement is parsed
// once per connection, under a name; a connection prepares a bounded number; one whose statement the
// server refuses as stale goes on unnamed; MAILBIND_DATABASE_PREPARE=off prepares nothing. What the
// server holds is read from pg_prepared_statements, which shows the session's own.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { appOptionsFromEnv } from '../../src/app/app.js';
import type { Db } from '../../src/store/database.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const onPostgres = (await dialects()).includes('postgres');

/** The statements this connection's session has prepared, by text. */
async function preparedOn(conn: Db): Promise<Map<string, string>> {
  const rows = (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(conn)).rows;
  return new Map(rows.map((r) => [r.statement, r.name]));
}

describe('prepared statements on postgres', { skip: !onPostgres && 'PostgreSQL is not reachable' }, () => {
  // Each test on a store of its own: a connection a test leaves full, or naming nothing, is not reused.
  async function onOneConnection(work: (conn: Db, t: TestStore) => Promise<void>): Promise<void> {
    const t = await openTestStore('postgres');
    try {
      await t.store.db.connection().execute((conn) => work(conn, t));
    } finally {
      await t.cleanup();
    }
  }

  test('a data statement run twice on one connection is parsed once, under a name', async () => {
    await onOneConnection(async (conn) => {
      const query = conn.selectFrom('profiles').select('id').where('name', '=', 'nobody');
      await query.execute();
      await query.execute();
      const text = query.compile().sql;
      const named = [...(await preparedOn(conn))].filter(([statement]) => statement === text);
      assert.equal(named.length, 1, `prepared: ${JSON.stringify([...(await preparedOn(conn))])}`);
      assert.match(named[0]![1], /^mb_\d+$/);
    });
  });

  test('a connection prepares at most 100 statements; the rest run unnamed and still answer', async () => {
    await onOneConnection(async (conn) => {
      for (let i = 0; i < 250; i++) {
        const { rows } = await sql<{ n: number }>`select ${sql.lit(i)}::int + ${1}::int as n`.execute(conn);
        assert.equal(rows[0]!.n, i + 1);
      }
      assert.equal((await preparedOn(conn)).size, 100);
    });
  });

  test('a value pg cannot send fails its statement once; the connection goes on unnamed, the statement answers', async () => {
    await onOneConnection(async (conn) => {
      const echo = (value: unknown) => sql<{ v: string }>`select ${value}::text as v, 'bind probe' as w`.execute(conn);
      assert.equal((await echo('x')).rows[0]!.v, 'x');
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await assert.rejects(echo(circular), /circular/i);
      assert.equal((await echo('y')).rows[0]!.v, 'y');
    });
  });

  test('a statement with more than 32 values is not named', async () => {
    await onOneConnection(async (conn) => {
      const many = conn.selectFrom('profiles').select('id').where('id', 'in', Array.from({ length: 33 }, (_, i) => -i - 1));
      const few = conn.selectFrom('profiles').select('id').where('id', 'in', Array.from({ length: 32 }, (_, i) => -i - 1));
      for (let i = 0; i < 2; i++) await Promise.all([many.execute(), few.execute()]);
      const prepared = await preparedOn(conn);
      assert.deepEqual([prepared.has(many.compile().sql), prepared.has(few.compile().sql)], [false, true]);
    });
  });

  test('DDL and several statements at once are not named', async () => {
    await onOneConnection(async (conn) => {
      await sql`create temporary table prepared_ddl (x integer)`.execute(conn);
      await sql.raw('select 1; select 2').execute(conn);
      const texts = [...(await preparedOn(conn)).keys()];
      assert.deepEqual(texts.filter((s) => /prepared_ddl|select 1; select 2/.test(s)), []);
    });
  });

  test('a table changed under a named statement: that statement fails once, and the connection goes on unnamed', async () => {
    await onOneConnection(async (conn, t) => {
      await sql`create table prepared_probe (a integer)`.execute(conn);
      await sql`insert into prepared_probe values (1), (2)`.execute(conn);
      const probe = () => sql<Record<string, number>>`select * from prepared_probe where a >= ${0}`.execute(conn);
      assert.deepEqual((await probe()).rows, [{ a: 1 }, { a: 2 }]);
      await sql`alter table prepared_probe add column b integer default 7`.execute(t.store.db);
      await assert.rejects(probe(), /cached plan must not change result type/);
      assert.deepEqual((await probe()).rows, [{ a: 1, b: 7 }, { a: 2, b: 7 }]);
      // A text this connection never ran: run twice, it is still not prepared.
      const fresh = conn.selectFrom('profiles').select('id').where('name', '=', 'after the refusal').where('id', '>', 0);
      for (let i = 0; i < 2; i++) await fresh.execute();
      assert.equal((await preparedOn(conn)).has(fresh.compile().sql), false, 'nothing named any more on this connection');
    });
  });
});

describe('MAILBIND_DATABASE_PREPARE', () => {
  test('on, off, or refused naming the setting', () => {
    assert.equal(appOptionsFromEnv('/d', { MAILBIND_DATABASE_PREPARE: 'off' }).prepareStatements, false);
    assert.equal(appOptionsFromEnv('/d', { MAILBIND_DATABASE_PREPARE: ' ON ' }).prepareStatements, true);
    assert.equal(appOptionsFromEnv('/d', {}).prepareStatements, undefined);
    assert.throws(() => appOptionsFromEnv('/d', { MAILBIND_DATABASE_PREPARE: 'sometimes' }), /MAILBIND_DATABASE_PREPARE must be on or off, got 'sometimes'/);
  });

  test('off: nothing is prepared', { skip: !onPostgres && 'PostgreSQL is not reachable' }, async () => {
    const plain = await openTestStore('postgres', { prepareStatements: false });
    try {
      await plain.store.db.connection().execute(async (conn) => {
        for (let i = 0; i < 2; i++) await conn.selectFrom('profiles').select('id').where('name', '=', 'nobody').execute();
        assert.equal((await preparedOn(conn)).size, 0);
      });
    } finally {
      await plain.cleanup();
    }
  });
});
