// Reply threading looks each reply's Message-IDs up in items, comments and item_messages, and an item's
// follow-ups in item_links (snapshot-items.ts). Each lookup must be served by an index (migration 012),
// not a scan of a table that grows with every mail: the query plans say which.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, sql, type Compilable } from 'kysely';
import type { Db } from '../../../src/store/database.js';
import { followUpsQuery, THREAD_QUERIES, threadsQuery } from '../../../src/tracker/builtin/snapshot-items.js';
import { dialects, openTestStore, type TestStore } from '../../support/store.js';

const EXPECTED: Array<[string, (db: Db) => Compilable<unknown>, string]> = [
  ['the message that created an item', (db) => THREAD_QUERIES.created(db, ['a@x', 'b@x']), 'items_source_message'],
  ["a comment's message", (db) => THREAD_QUERIES.comment(db, ['a@x', 'b@x']), 'comments_message'],
  ['a message attached to an item', (db) => THREAD_QUERIES.attached(db, ['a@x', 'b@x']), 'item_messages_message'],
  ['the items following one up', (db) => followUpsQuery(db, [1, 2]), 'item_links_linked'],
];

for (const dialect of await dialects()) {
  describe(`reply threading lookups use their indexes on ${dialect}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(dialect);
    });
    after(() => t.cleanup());

    for (const [what, query, index] of EXPECTED) {
      test(`${what}: ${index}`, async () => {
        const plan = await explain(t.store.db, dialect, query);
        assert.match(plan, new RegExp(`\\b${index}\\b`), plan);
      });
    }

    // What loadThreads runs: the three lookups in one statement, each part still on its own index.
    test('the three together (one UNION ALL): each part on its index', async () => {
      const plan = await explain(t.store.db, dialect, (db) => threadsQuery(db, ['a@x', 'b@x']));
      for (const index of ['items_source_message', 'comments_message', 'item_messages_message']) assert.match(plan, new RegExp(`\\b${index}\\b`), plan);
    });
  });
}

/** The query plan in words. PostgreSQL is told to avoid what it picks for near-empty tables (scans, hash joins), as it would on real data. */
async function explain(db: Db, dialect: 'sqlite' | 'postgres', query: (db: Db) => Compilable<unknown>): Promise<string> {
  if (dialect === 'sqlite') {
    const compiled = query(db).compile();
    const rows = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
    return rows.rows.map((r) => r.detail).join('\n');
  }
  return db.transaction().execute(async (trx) => {
    for (const setting of ['enable_seqscan', 'enable_hashjoin', 'enable_mergejoin']) await sql`select set_config(${setting}, 'off', true)`.execute(trx);
    const compiled = query(trx).compile();
    const rows = await trx.executeQuery<Record<string, string>>(CompiledQuery.raw(`EXPLAIN ${compiled.sql}`, [...compiled.parameters]));
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}
