// Claiming due items must stay an index lookup however many items the inbox has done (migration 018):
// both the pending items whose time has come and the processing ones whose holder is gone, for every
// profile or one. The query plans say which index serves them; a scan of inbox_items would read every
// item ever received, on every claim, every second an idle service looks for work.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, sql } from 'kysely';
import type { Db } from '../../src/store/database.js';
import { dueItems } from '../../src/store/inbox.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const AT = { at: '2026-11-30T12:00:00.000Z', dbAt: '2026-11-30T12:00:00.000Z' };

for (const dialect of await dialects()) {
  describe(`claiming due items uses its index on ${dialect}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(dialect);
    });
    after(() => t.cleanup());

    for (const [what, at] of [['every profile', AT], ['one profile', { ...AT, profileId: 3 }]] as const) {
      for (const kind of ['pending', 'orphaned'] as const) {
        test(`${what}: ${kind} items looked up by state, nothing scanned`, async () => {
          const plan = await explain(t.store.db, dialect, (db) => dueItems(db, at)[kind].limit(20).compile());
          // By state first: inbox_items_claim (state, profile, time) or inbox_items_due (state, time).
          assert.match(plan, /inbox_items_(claim|due)\b/, plan);
          // Not a walk of the table (in id order, say), nor of a profile's whole part of it.
          assert.doesNotMatch(plan, /SCAN inbox_items|Seq Scan on inbox_items|inbox_items_pkey|inbox_items_(sender_received|ack|message_id|raw_ref)/, plan);
        });
      }
    }
  });
}

/** The plan in words; PostgreSQL told to avoid what it picks for near-empty tables, as it would on real data. */
async function explain(db: Db, dialect: 'sqlite' | 'postgres', compile: (db: Db) => CompiledQuery): Promise<string> {
  if (dialect === 'sqlite') {
    const compiled = compile(db);
    const rows = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
    return rows.rows.map((r) => r.detail).join('\n');
  }
  return db.transaction().execute(async (trx) => {
    for (const setting of ['enable_seqscan', 'enable_hashjoin', 'enable_mergejoin']) await sql`select set_config(${setting}, 'off', true)`.execute(trx);
    const compiled = compile(trx);
    const rows = await trx.executeQuery<Record<string, string>>(CompiledQuery.raw(`EXPLAIN ${compiled.sql}`, [...compiled.parameters]));
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}
