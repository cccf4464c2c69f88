// The SQLite dialect for several processes: a transaction holds the write lock from its start, and a
// database another connection keeps busy is waited for (past busy_timeout, up to a deadline) rather
// than failing. The other process is played by a second connection to the same file. A transaction's
// savepoints keep what they would roll back in memory rather than in a temp file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { SharedSqliteDialect } from '../../src/store/sqlite-dialect.js';

function twoConnections(options: { busyTimeoutMs: number; deadlineMs: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-sqlite-shared-'));
  const path = join(dir, 'db.sqlite');
  const file = new BetterSqlite3(path);
  file.pragma('journal_mode = WAL');
  file.exec('create table t (n integer)');
  const dialect = new SharedSqliteDialect(file, options);
  const db = new Kysely<{ t: { n: number } }>({ dialect });
  const other = new BetterSqlite3(path, { timeout: 0 });
  return {
    db,
    dialect,
    other,
    async close() {
      other.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('a transaction takes the write lock when it begins, before its first write', async () => {
  const { db, other, close } = twoConnections({ busyTimeoutMs: 0, deadlineMs: 0 });
  try {
    await db.transaction().execute(async (trx) => {
      await trx.selectFrom('t').selectAll().execute();
      assert.throws(() => other.exec('insert into t values (1)'), { code: 'SQLITE_BUSY' });
      await trx.insertInto('t').values({ n: 2 }).execute();
    });
    assert.deepEqual(other.prepare('select n from t').all(), [{ n: 2 }]);
  } finally {
    await close();
  }
});

test('a busy database is waited for past busy_timeout, and the error stands after the deadline', async () => {
  const { db, other, close } = twoConnections({ busyTimeoutMs: 20, deadlineMs: 2000 });
  try {
    other.exec('begin immediate');
    setTimeout(() => other.exec('commit'), 300);
    const started = Date.now();
    await db.transaction().execute((trx) => trx.insertInto('t').values({ n: 1 }).execute());
    await db.insertInto('t').values({ n: 2 }).execute();
    assert.ok(Date.now() - started >= 250, 'it waited for the other connection');

    other.exec('begin immediate');
    try {
      const failed = Date.now();
      await assert.rejects(sql`insert into t values (3)`.execute(db), { code: 'SQLITE_BUSY' });
      assert.ok(Date.now() - failed >= 1900, 'it kept trying until the deadline');
    } finally {
      other.exec('rollback');
    }
    assert.deepEqual(other.prepare('select n from t order by n').all(), [{ n: 1 }, { n: 2 }]);
  } finally {
    await close();
  }
});

/** 300 rows of 2,000 bytes: a savepoint that changes them all has about 600 KiB of pages to roll back. */
function fillPages(connection: BetterSqlite3.Database): void {
  connection.exec('create table pages (id integer primary key, x blob)');
  connection.exec('insert into pages (x) select zeroblob(2000) from (with recursive n(i) as (select 1 union all select i + 1 from n where i < 300) select i from n)');
}

/** SQLite's temp files open in this process (a sub-journal that went to disk is one: unlinked, still open). */
function openTempFiles(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.includes('etilqs_') ? [target] : [];
    } catch {
      return []; // closed meanwhile (the directory's own descriptor)
    }
  });
}

test("a transaction's savepoints keep what they would roll back in memory, not in a temp file", { skip: process.platform !== 'linux' && 'reads /proc/self/fd' }, async () => {
  const { db, other, close } = twoConnections({ busyTimeoutMs: 0, deadlineMs: 0 });
  try {
    fillPages(other);
    // On a plain connection the same savepoint goes to a temp file.
    other.exec('begin immediate');
    other.exec('savepoint part');
    other.exec('update pages set x = zeroblob(2001)');
    const plain = openTempFiles();
    other.exec('rollback');
    assert.equal(plain.length, 1, `a plain connection's sub-journal went to disk: ${plain.join(', ')}`);

    let during: string[] | undefined;
    await db.transaction().execute(async (trx) => {
      await sql`savepoint part`.execute(trx);
      await sql`update pages set x = zeroblob(10)`.execute(trx);
      during = openTempFiles();
      await sql`rollback to savepoint part`.execute(trx);
      await sql`release savepoint part`.execute(trx);
    });
    assert.deepEqual(during, []);
    assert.deepEqual(other.prepare('select distinct length(x) as n from pages').all(), [{ n: 2000 }], 'rolled back to the savepoint');
    const { rows } = await sql<{ temp_store: number }>`pragma temp_store`.execute(db);
    assert.deepEqual(rows, [{ temp_store: 0 }], "outside a transaction, SQLite's default again (large sorts may go to disk)");
  } finally {
    await close();
  }
});

test("migrations keep SQLite's default: their savepoints go to a temp file past 64 KiB", { skip: process.platform !== 'linux' && 'reads /proc/self/fd' }, async () => {
  const { db, dialect, other, close } = twoConnections({ busyTimeoutMs: 0, deadlineMs: 0 });
  try {
    fillPages(other);
    let during: string[] | undefined;
    await dialect.withJournalsOnDisk(() => db.transaction().execute(async (trx) => {
      await sql`savepoint part`.execute(trx);
      await sql`update pages set x = zeroblob(10)`.execute(trx);
      during = openTempFiles();
      await sql`release savepoint part`.execute(trx);
    }));
    assert.equal(during?.length, 1, 'the sub-journal went to disk');
    assert.deepEqual(other.prepare('select distinct length(x) as n from pages').all(), [{ n: 10 }]);
  } finally {
    await close();
  }
});

test('a transaction that could not begin (the database busy past the deadline) leaves temp_store as it was', async () => {
  const { db, other, close } = twoConnections({ busyTimeoutMs: 0, deadlineMs: 0 });
  try {
    other.exec('begin immediate');
    try {
      await assert.rejects(db.transaction().execute((trx) => trx.insertInto('t').values({ n: 1 }).execute()), { code: 'SQLITE_BUSY' });
    } finally {
      other.exec('rollback');
    }
    const { rows } = await sql<{ temp_store: number }>`pragma temp_store`.execute(db);
    assert.deepEqual(rows, [{ temp_store: 0 }]);
  } finally {
    await close();
  }
});
