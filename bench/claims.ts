// What finding one claim's 20 items costs while many items wait, as when a large mailbox is taken in
// faster than it is processed (`fetch --once` of a whole mailbox, an import): store/inbox.ts's dueItems
// as claimDueItems runs them (the first 20 by id of each lookup; on PostgreSQL locked, FOR UPDATE SKIP
// LOCKED) with migration 020's and 021's indexes, against the one query claims ran before (the two lookups' every
// due item joined in a subquery, the first 20 ids taken from it) with the indexes it had, on two inboxes
// alike, side by side in one run, in a transaction each: 50,000 done items and 1,000, 10,000 or 100,000
// waiting (CASES: also a claim of every profile, and an idle one while items wait out a backoff), on
// SQLite and, where it answers, on PostgreSQL (MAILBIND_TEST_DATABASE_URL, as the tests).
// The update that takes the items is not run, so both forms find the same items again and again.
// `npm run bench -- claims`.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropPgSchema, openStore, type Db, type Store } from '../src/store/database.js';
import { sql, type ExpressionBuilder } from 'kysely';
import { dueItems } from '../src/store/inbox.js';
import type { Database } from '../src/store/schema.js';
import { createProfile } from '../src/store/profiles.js';
import { PG_URL, postgresAvailable } from '../test/support/store.js';
import { saveResults } from './results.js';

const DONE = 50_000;
const CLAIM = 20;
const TIMES = 20;

/** A profile's claims while 1,000 to 100,000 wait; the service loop's claim of every profile; an idle claim after a tracker outage. */
const CASES: Case[] = [
  ...[1_000, 10_000, 100_000].map((waiting) => ({ what: `one of ${CLAIM}, ${waiting.toLocaleString('en')} waiting`, waiting, oneProfile: true, due: true })),
  { what: `one of ${CLAIM} for every profile, 100,000 waiting`, waiting: 100_000, oneProfile: false, due: true },
  { what: 'none due, 20,000 waiting out a backoff', waiting: 20_000, oneProfile: true, due: false },
];

interface Case {
  what: string;
  waiting: number;
  /** The claim names its profile (fetch, import, deliver) or takes every profile's (the service loop). */
  oneProfile: boolean;
  /** The waiting items are due; or none is yet, each waiting out a retry's backoff. */
  due: boolean;
}

interface Figure {
  dialect: 'sqlite' | 'postgres';
  what: string;
  nowMs: number;
  beforeMs: number;
}

export async function benchClaims(report: (name: string, value: string) => void): Promise<void> {
  const figures: Figure[] = [];
  const dialects = ['sqlite', ...(await postgresAvailable() ? ['postgres'] as const : [])] as const;
  if (dialects.length === 1) report('claims on PostgreSQL', `skipped: PostgreSQL does not answer at ${PG_URL}`);
  for (const dialect of dialects) {
    for (const { what, waiting, oneProfile, due } of CASES) {
      // Two inboxes alike: one with today's indexes, one with those the query before had.
      const stores: Array<{ dir: string; schema: string; store?: Store }> = [0, 1].map(() => ({
        dir: mkdtempSync(join(tmpdir(), 'mailbind-bench-claims-')), schema: `bench_claims_${randomBytes(5).toString('hex')}`,
      }));
      try {
        for (const s of stores) s.store = await openStore({ dataDir: s.dir, ...(dialect === 'postgres' ? { databaseUrl: PG_URL, schema: s.schema } : {}) });
        const [now, before] = stores.map((s) => s.store!);
        await indexesBefore(before!.db);
        const profileId = await fill(now!, waiting, due);
        if (await fill(before!, waiting, due) !== profileId) throw new Error('the two inboxes differ');
        const profile = oneProfile ? { profileId } : {};
        const at = new Date().toISOString();
        const lock = <Q extends { forUpdate(): { skipLocked(): Q } }>(q: Q): Q => (dialect === 'postgres' ? q.forUpdate().skipLocked() : q);
        const claim = (current: boolean) => current
          ? now!.db.transaction().execute(async (trx) => {
            const { orphaned, pending } = dueItems(trx, { at, dbAt: at, dialect, ...profile, owner: 'bench' });
            const found = await lock(orphaned.limit(CLAIM)).execute();
            return [...found, ...await lock(pending.limit(CLAIM - found.length)).execute()];
          })
          : before!.db.transaction().execute((trx) => lock(everyDueItem(trx, at, profile.profileId).orderBy('id').limit(CLAIM)).execute());
        const ms = { now: 0, before: 0 };
        // Taking turns, so that neither form always runs on a warmer cache.
        for (let i = 0; i < TIMES; i++) {
          for (const current of i % 2 ? [false, true] : [true, false]) {
            const started = performance.now();
            const found = await claim(current);
            ms[current ? 'now' : 'before'] += performance.now() - started;
            if (found.length !== (due ? CLAIM : 0)) throw new Error(`a claim found ${found.length} items (${what})`);
          }
        }
        const row = { dialect, what, nowMs: ms.now / TIMES, beforeMs: ms.before / TIMES };
        figures.push(row);
        report(`claims on ${dialect}: ${what}`,
          `${row.nowMs.toFixed(2)} ms (before: every due item looked up, ${row.beforeMs.toFixed(2)} ms, ${(row.beforeMs / row.nowMs).toFixed(1)}×)`);
      } finally {
        for (const s of stores) {
          await s.store?.close().catch(() => {});
          if (dialect === 'postgres') await dropPgSchema(PG_URL, s.schema).catch(() => {});
          rmSync(s.dir, { recursive: true, force: true });
        }
      }
    }
  }
  report('claims results', saveResults('claims', { done: DONE, claim: CLAIM, times: TIMES, figures }));
}

/** The claim indexes before migration 020: 018's (state, profile, time) and the first schema's (state, time); none of 021's. */
async function indexesBefore(db: Db): Promise<void> {
  await db.schema.dropIndex('inbox_items_pending').ifExists().execute();
  await db.schema.dropIndex('inbox_items_pending_time').ifExists().execute();
  await db.schema.dropIndex('inbox_items_claim_profile').execute();
  await db.schema.dropIndex('inbox_items_claim_any').execute();
  await db.schema.createIndex('inbox_items_claim').on('inbox_items').columns(['state', 'profile_id', 'next_attempt_at']).execute();
  await db.schema.createIndex('inbox_items_due').on('inbox_items').columns(['state', 'next_attempt_at']).execute();
}

/** DONE items already processed and `waiting` pending ones (due, or each in a backoff), received in id order, in one transaction. */
async function fill(store: Store, waiting: number, due: boolean): Promise<number> {
  const profileId = (await createProfile(store.db, { name: 'bench', rules: 'then attach to project 1' })).id;
  const received = Date.parse('2026-11-01T00:00:00.000Z');
  const row = (i: number, done: boolean) => {
    const at = new Date(received + i * 1000).toISOString();
    return {
      profile_id: profileId, origin_key: `uid-${i}`, raw_ref: 'a'.repeat(64), raw_size: 1000, state: done ? 'done' as const : 'pending' as const,
      attempts: done || due ? 0 : 1, next_attempt_at: done || due ? at : '2099-01-01T00:00:00.000Z', received_at: at, ...(done ? { outcome: 'imported' as const, processed_at: at } : {}),
    };
  };
  await store.db.transaction().execute(async (trx) => {
    for (let i = 0; i < DONE + waiting; i += 500) {
      const rows = Array.from({ length: Math.min(500, DONE + waiting - i) }, (_, j) => row(i + j, i + j < DONE));
      await trx.insertInto('inbox_items').values(rows).execute();
    }
  });
  // PostgreSQL plans with the statistics autovacuum keeps; SQLite gathers none (nothing runs ANALYZE).
  if (store.dialect === 'postgres') await sql`analyze inbox_items`.execute(store.db);
  return profileId;
}

/** The claim's query before dueItems (36d1064's store/inbox.ts), for the comparison: every due item of both kinds, then the first ids. */
function everyDueItem(db: Db, at: string, profileId: number | undefined) {
  const pending = (eb: ExpressionBuilder<Database, 'inbox_items'>) => eb.and([eb('state', '=', 'pending'), eb('next_attempt_at', '<=', at)]);
  const orphaned = (eb: ExpressionBuilder<Database, 'inbox_items'>) => eb.and([eb('state', '=', 'processing'), eb.or([
    eb('lease_until', '<', at),
    eb.and([eb('claimed_by', '!=', 'bench'), eb.exists(eb.selectFrom('services').select('services.id').whereRef('services.id', '=', 'inbox_items.claimed_by')
      .where('services.beat_at', '<', sql<string>`${at}`))]),
  ])]);
  const lookup = (due: typeof pending) => db.selectFrom('inbox_items').select('id').where(due)
    .$if(profileId !== undefined, (q) => q.where('profile_id', '=', profileId!));
  return db.selectFrom('inbox_items').select(['id', 'state', 'claimed_by', 'lease_until'])
    .where('id', 'in', lookup(pending).unionAll(lookup(orphaned)))
    .where((eb) => eb.or([pending(eb), orphaned(eb)]));
}
