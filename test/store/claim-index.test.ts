// Claiming due items must stay an index lookup however many items the inbox has done (migration 018), and
// read no more than it takes however many are due (020; pending items waiting out a backoff before them
// are passed over in the index, not skipped): both the pending items whose time has come and the
// processing ones whose holder is gone, for every profile or one, each in id order straight from an
// index, with no sort of every due item. The query plans say so.
//
// PostgreSQL plans with statistics, and supposes the items a lookup wants spread evenly over the ids:
// `ORDER BY id LIMIT` then looks as cheap through the primary key, which walks past every done item
// first. So there the inboxes hold a history and are analyzed, as autovacuum would: a long one with
// some waiting (100,000 done items with the lowest ids, 1,000 waiting after them), and the shapes that
// made it walk the primary key before migration 021 (50,000 done and 10,000 waiting, due; 50,000 done
// and 20,000 waiting out a backoff, where none is due and the pending lookup must not run at all: the
// plan as run says so). Each plan is asked for twice: with the values known (a custom plan)
// and as a prepared statement's generic plan, which PostgreSQL may keep after a statement's fifth run
// (mailbind prepares its statements). SQLite gathers no statistics (nothing runs ANALYZE).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, sql } from 'kysely';
import type { Db } from '../../src/store/database.js';
import { dueItems } from '../../src/store/inbox.js';
import { createProfile } from '../../src/store/profiles.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const AT = { at: '2026-11-30T12:00:00.000Z', dbAt: '2026-11-30T12:00:00.000Z' };
const PLANS = ['force_custom_plan', 'force_generic_plan'] as const;

/** The inbox a PostgreSQL case plans against: done items with the lowest ids, then waiting ones (due, or in a backoff). */
interface Inbox {
  what: string;
  done: number;
  waiting: number;
  due: boolean;
}

const POSTGRES_INBOXES: Inbox[] = [
  { what: 'a long history, 1,000 waiting', done: 100_000, waiting: 1_000, due: true },
  { what: '50,000 done, 10,000 waiting', done: 50_000, waiting: 10_000, due: true },
  { what: '50,000 done, 20,000 waiting out a backoff', done: 50_000, waiting: 20_000, due: false },
];

for (const dialect of await dialects()) {
  for (const inbox of dialect === 'postgres' ? POSTGRES_INBOXES : [undefined]) {
    describe(`claiming due items uses its index on ${dialect}${inbox ? `, ${inbox.what}` : ''}`, () => {
      let t: TestStore;
      before(async () => {
        t = await openTestStore(dialect);
        if (inbox) await fillAndAnalyze(t.store.db, inbox);
      });
      after(() => t.cleanup());

      // A profile the fixture fills on PostgreSQL (the third of three in a fresh schema); none on SQLite.
      for (const [what, at] of [['every profile', AT], ['one profile', { ...AT, profileId: 3 }]] as const) {
        for (const kind of ['pending', 'orphaned'] as const) {
          for (const mode of dialect === 'postgres' ? PLANS : ['' as const]) {
            const modeName = mode ? ` (${mode.replace(/_/g, ' ')})` : '';
            if (inbox && !inbox.due && kind === 'pending') {
              // None is due: the earliest retry time says so, and the lookup is not run, whatever its plan.
              test(`${what}: the earliest retry time is read from its index, and nothing else${modeName}`, async () => {
                const lookup = dueItems(t.store.db, { ...at, dialect })[kind].limit(20).forUpdate().skipLocked();
                const plan = await postgresPlan(t.store.db, lookup.compile(), mode || 'force_custom_plan', true);
                assert.match(plan, /Index Only Scan using inbox_items_pending_time/, plan);
                assert.match(plan, /One-Time Filter/, plan);
                assert.match(plan, / on inbox_items \(never executed\)/, plan);
                assert.doesNotMatch(plan, /Rows Removed by Filter|Seq Scan/, plan);
              });
              continue;
            }
            test(`${what}: ${kind} items read in id order from an index, nothing scanned or sorted${modeName}`, async () => {
              const lookup = dueItems(t.store.db, { ...at, dialect })[kind].limit(20);
              const plan = dialect === 'postgres'
                ? await postgresPlan(t.store.db, lookup.forUpdate().skipLocked().compile(), mode || 'force_custom_plan')
                : await sqlitePlan(t.store.db, lookup.compile());
              // By state and id: 020's inbox_items_claim_profile (state, profile, id, time) or _any (state,
              // id, time), or on PostgreSQL 021's inbox_items_pending (id, time) of the pending items alone.
              assert.match(plan, kind === 'pending' && dialect === 'postgres' ? /inbox_items_(claim_profile|pending)\b/ : /inbox_items_claim_(profile|any)\b/, plan);
              // Not a walk of the table or of its primary key, not a sort of everything due.
              assert.doesNotMatch(plan, /SCAN inbox_items\b|Seq Scan on inbox_items|inbox_items_pkey|TEMP B-TREE|Sort/, plan);
            });
          }
        }
      }
    });
  }
}

/** Three profiles, numbered one after the other in a fresh schema, whose items take turns; analyzed. */
async function fillAndAnalyze(db: Db, inbox: Inbox): Promise<void> {
  const first = (await createProfile(db, { name: 'p1', rules: '' })).id;
  for (const name of ['p2', 'p3']) await createProfile(db, { name, rules: '' });
  await sql`insert into inbox_items (profile_id, origin_key, raw_ref, raw_size, state, attempts, next_attempt_at, received_at, outcome)
    select ${first} + g % 3, 'k' || g, 'r', 1, case when g <= ${inbox.done} then 'done' else 'pending' end, case when g <= ${inbox.done} or ${inbox.due} then 0 else 1 end,
      case when g <= ${inbox.done} or ${inbox.due} then to_char(timestamp '2026-11-29' + g * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') else '2099-01-01T00:00:00.000Z' end,
      '2026-11-29T00:00:00.000Z', case when g <= ${inbox.done} then 'imported' end
    from generate_series(1, ${inbox.done + inbox.waiting}) g`.execute(db);
  await sql`analyze inbox_items`.execute(db);
}

/** SQLite's plan in words. */
async function sqlitePlan(db: Db, compiled: CompiledQuery): Promise<string> {
  const rows = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
  return rows.rows.map((r) => r.detail).join('\n');
}

/** PostgreSQL's plan for the statement prepared, with the values known (custom) or not (generic). */
async function postgresPlan(db: Db, compiled: CompiledQuery, mode: (typeof PLANS)[number], analyze = false): Promise<string> {
  // A name of its own each time: PREPARE outlives a rolled-back transaction, and a test that failed
  // midway must not make the next one fail with "already exists".
  const name = `claim_lookup_${++prepared}`;
  return db.transaction().execute(async (trx) => {
    await sql.raw(`set local plan_cache_mode = ${mode}`).execute(trx);
    await trx.executeQuery(CompiledQuery.raw(`prepare ${name} as ${compiled.sql}`));
    const values = compiled.parameters.map((v) => (typeof v === 'number' ? String(v) : `'${String(v)}'`)).join(', ');
    const rows = await trx.executeQuery<Record<string, string>>(CompiledQuery.raw(`explain ${analyze ? '(analyze, costs off, timing off) ' : ''}execute ${name}(${values})`));
    await trx.executeQuery(CompiledQuery.raw(`deallocate ${name}`));
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

let prepared = 0;
