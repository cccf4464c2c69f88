// Claiming due items must stay an index lookup however many items the inbox has done (migration 018), and
// read no more than it takes however many are due (020; pending items waiting out a backoff before them
// are passed over in the index, not skipped): both the pending items whose time has come and the
// processing ones whose holder is gone, for every profile or one, each in id order straight from an
// index, with no sort of every due item. The query plans say so. PostgreSQL plans with statistics, so
// there the inbox holds a long history and some waiting items (100,000 done items with the lowest ids,
// 1,000 waiting after them), analyzed, as autovacuum would: `ORDER BY id LIMIT` could also walk the
// primary key past every done item, which PostgreSQL prefers only while the waiting items are a large
// share of the inbox, a sixth or more in bench/claims.ts (docs/benchmarks.md, eleventh slice). SQLite
// gathers no statistics (nothing runs ANALYZE).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, sql } from 'kysely';
import type { Db } from '../../src/store/database.js';
import { dueItems } from '../../src/store/inbox.js';
import { createProfile } from '../../src/store/profiles.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const AT = { at: '2026-11-30T12:00:00.000Z', dbAt: '2026-11-30T12:00:00.000Z' };

for (const dialect of await dialects()) {
  describe(`claiming due items uses its index on ${dialect}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(dialect);
      if (dialect === 'postgres') await fillAndAnalyze(t.store.db);
    });
    after(() => t.cleanup());

    // A profile the fixture fills on PostgreSQL (the third of three in a fresh schema); none on SQLite.
    for (const [what, at] of [['every profile', AT], ['one profile', { ...AT, profileId: 3 }]] as const) {
      for (const kind of ['pending', 'orphaned'] as const) {
        test(`${what}: ${kind} items read in id order from an index, nothing scanned or sorted`, async () => {
          const plan = await explain(t.store.db, dialect, (db) => {
            const lookup = dueItems(db, { ...at, dialect })[kind].limit(20);
            return (dialect === 'postgres' ? lookup.forUpdate().skipLocked() : lookup).compile();
          });
          // By state and id: inbox_items_claim_profile (state, profile, id, time) or _any (state, id, time).
          assert.match(plan, /inbox_items_claim_(profile|any)\b/, plan);
          // Not a walk of the table or of its primary key, not a sort of everything due.
          assert.doesNotMatch(plan, /SCAN inbox_items|Seq Scan on inbox_items|inbox_items_pkey|TEMP B-TREE|Sort/, plan);
        });
      }
    }
  });
}

// After a tracker outage, say, many items wait out a retry's backoff and none is due. PostgreSQL's
// planner, estimating from a histogram of times the done items fill, then expects most of them due and
// walks the primary key past every item (10-14 ms in bench/claims.ts). The pending lookup first asks for
// the earliest retry time (migration 021's index) and is not run when that lies ahead: so the plan says,
// as run, and as a prepared statement's generic plan (mailbind prepares its statements on PostgreSQL).
if ((await dialects()).includes('postgres')) {
  describe('an idle claim on postgres asks for the earliest retry time first', () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore('postgres');
      const profileId = (await createProfile(t.store.db, { name: 'idle', rules: '' })).id;
      await sql`insert into inbox_items (profile_id, origin_key, raw_ref, raw_size, state, attempts, next_attempt_at, received_at, outcome)
        select ${profileId}, 'k' || g, 'r', 1, case when g <= 50000 then 'done' else 'pending' end, case when g <= 50000 then 0 else 1 end,
          case when g <= 50000 then to_char(timestamp '2026-11-01' + g * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') else '2099-01-01T00:00:00.000Z' end,
          '2026-11-01T00:00:00.000Z', case when g <= 50000 then 'imported' end
        from generate_series(1, 70000) g`.execute(t.store.db);
      await sql`analyze inbox_items`.execute(t.store.db);
    });
    after(() => t.cleanup());

    for (const [what, at] of [['every profile', AT], ['one profile', { ...AT, profileId: 1 }]] as const) {
      test(`${what}: the earliest retry time is read from its index, and nothing else`, async () => {
        const plan = await t.store.db.transaction().execute(async (trx) => {
          const compiled = dueItems(trx, { ...at, dialect: 'postgres' }).pending.limit(20).forUpdate().skipLocked().compile();
          await sql`set local plan_cache_mode = force_generic_plan`.execute(trx);
          await trx.executeQuery(CompiledQuery.raw(`prepare idle_claim as ${compiled.sql}`));
          const values = compiled.parameters.map((v) => (typeof v === 'number' ? String(v) : `'${String(v)}'`)).join(', ');
          const rows = await trx.executeQuery<Record<string, string>>(CompiledQuery.raw(`explain (analyze, costs off, timing off) execute idle_claim(${values})`));
          await trx.executeQuery(CompiledQuery.raw('deallocate idle_claim'));
          return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
        });
        assert.match(plan, /Index Only Scan using inbox_items_pending_time/, plan);
        assert.match(plan, /One-Time Filter/, plan);
        // The lookup itself, whichever way the planner chose, was not run.
        assert.match(plan, /Scan using inbox_items_(pkey|claim_any|claim_profile) on inbox_items \(never executed\)/, plan);
        assert.doesNotMatch(plan, /Rows Removed by Filter/, plan);
      });
    }
  });
}

/** A long history on PostgreSQL: 100,000 done items, then 1,000 waiting, with the table's statistics. */
async function fillAndAnalyze(db: Db): Promise<void> {
  // Three profiles, numbered one after the other in a fresh schema.
  const first = (await createProfile(db, { name: 'p1', rules: '' })).id;
  for (const name of ['p2', 'p3']) await createProfile(db, { name, rules: '' });
  await sql`insert into inbox_items (profile_id, origin_key, raw_ref, raw_size, state, attempts, next_attempt_at, received_at, outcome)
    select ${first} + g % 3, 'k' || g, 'r', 1, case when g <= 100000 then 'done' else 'pending' end, 0, '2026-11-30T00:00:00.000Z',
      '2026-11-30T00:00:00.000Z', case when g <= 100000 then 'imported' end
    from generate_series(1, 101000) g`.execute(db);
  await sql`analyze inbox_items`.execute(db);
}

/** The plan in words. */
async function explain(db: Db, dialect: 'sqlite' | 'postgres', compile: (db: Db) => CompiledQuery): Promise<string> {
  const compiled = compile(db);
  if (dialect === 'sqlite') {
    const rows = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
    return rows.rows.map((r) => r.detail).join('\n');
  }
  const rows = await db.executeQuery<Record<string, string>>(CompiledQuery.raw(`EXPLAIN ${compiled.sql}`, [...compiled.parameters]));
  return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
}
