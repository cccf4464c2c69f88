// What finding one claim's 20 items costs while many items wait, as when a large mailbox is taken in
// faster than it is processed (`fetch --once` of a whole mailbox, an import): store/inbox.ts's dueItems
// as claimDueItems runs them (the first 20 by id of each lookup; on PostgreSQL locked, FOR UPDATE SKIP
// LOCKED), against the one query claims ran before (the two lookups' every due item joined in a
// subquery, the first 20 ids taken from it), side by side in one run, in a transaction each, on one
// inbox of 50,000 done items and 1,000, 10,000 or 100,000 waiting, on SQLite and, where it answers, on
// PostgreSQL (MAILBIND_TEST_DATABASE_URL, as the tests). The update that takes the items is not run, so
// both forms find the same items again and again. `npm run bench -- claims`.
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
const WAITING = [1_000, 10_000, 100_000];
const CLAIM = 20;
const TIMES = 20;

interface Figure {
  dialect: 'sqlite' | 'postgres';
  waiting: number;
  firstMs: number;
  everyMs: number;
}

export async function benchClaims(report: (name: string, value: string) => void): Promise<void> {
  const figures: Figure[] = [];
  const dialects = ['sqlite', ...(await postgresAvailable() ? ['postgres'] as const : [])] as const;
  if (dialects.length === 1) report('claims on PostgreSQL', `skipped: PostgreSQL does not answer at ${PG_URL}`);
  for (const dialect of dialects) {
    for (const waiting of WAITING) {
      const dir = mkdtempSync(join(tmpdir(), 'mailbind-bench-claims-'));
      const schema = `bench_claims_${randomBytes(5).toString('hex')}`;
      let store: Store | undefined;
      try {
        store = await openStore({ dataDir: dir, ...(dialect === 'postgres' ? { databaseUrl: PG_URL, schema } : {}) });
        const db = store.db;
        const profileId = await fill(store, waiting);
        const at = new Date().toISOString();
        const claim = (first: boolean) => db.transaction().execute(async (trx) => {
          const lock = <Q extends { forUpdate(): { skipLocked(): Q } }>(q: Q): Q => (dialect === 'postgres' ? q.forUpdate().skipLocked() : q);
          if (!first) return lock(everyDueItem(trx, at, profileId).orderBy('id').limit(CLAIM)).execute();
          const { orphaned, pending } = dueItems(trx, { at, dbAt: at, profileId, owner: 'bench' });
          const found = await lock(orphaned.limit(CLAIM)).execute();
          return [...found, ...await lock(pending.limit(CLAIM - found.length)).execute()];
        });
        const ms = { first: 0, every: 0 };
        // Taking turns, so that neither form always runs on a warmer cache.
        for (let i = 0; i < TIMES; i++) {
          for (const first of i % 2 ? [false, true] : [true, false]) {
            const started = performance.now();
            const found = await claim(first);
            ms[first ? 'first' : 'every'] += performance.now() - started;
            if (found.length !== CLAIM) throw new Error(`a claim found ${found.length} items of ${waiting} waiting`);
          }
        }
        const row = { dialect, waiting, firstMs: ms.first / TIMES, everyMs: ms.every / TIMES };
        figures.push(row);
        report(`claims on ${dialect}: one of ${CLAIM}, ${waiting.toLocaleString('en')} waiting`,
          `${row.firstMs.toFixed(2)} ms (every due item looked up: ${row.everyMs.toFixed(2)} ms, ${(row.everyMs / row.firstMs).toFixed(1)}×)`);
      } finally {
        await store?.close().catch(() => {});
        if (dialect === 'postgres') await dropPgSchema(PG_URL, schema);
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  report('claims results', saveResults('claims', { done: DONE, claim: CLAIM, times: TIMES, figures }));
}

/** DONE items already processed and `waiting` pending ones, received in id order, in one transaction. */
async function fill(store: Store, waiting: number): Promise<number> {
  const profileId = (await createProfile(store.db, { name: 'bench', rules: 'then attach to project 1' })).id;
  const received = Date.parse('2026-11-01T00:00:00.000Z');
  const row = (i: number, done: boolean) => {
    const at = new Date(received + i * 1000).toISOString();
    return {
      profile_id: profileId, origin_key: `uid-${i}`, raw_ref: 'a'.repeat(64), raw_size: 1000, state: done ? 'done' as const : 'pending' as const,
      attempts: 0, next_attempt_at: at, received_at: at, ...(done ? { outcome: 'imported' as const, processed_at: at } : {}),
    };
  };
  await store.db.transaction().execute(async (trx) => {
    for (let i = 0; i < DONE + waiting; i += 500) {
      const rows = Array.from({ length: Math.min(500, DONE + waiting - i) }, (_, j) => row(i + j, i + j < DONE));
      await trx.insertInto('inbox_items').values(rows).execute();
    }
  });
  return profileId;
}

/** The claim's query before dueItems (36d1064's store/inbox.ts), for the comparison: every due item of both kinds, then the first ids. */
function everyDueItem(db: Db, at: string, profileId: number) {
  const pending = (eb: ExpressionBuilder<Database, 'inbox_items'>) => eb.and([eb('state', '=', 'pending'), eb('next_attempt_at', '<=', at)]);
  const orphaned = (eb: ExpressionBuilder<Database, 'inbox_items'>) => eb.and([eb('state', '=', 'processing'), eb.or([
    eb('lease_until', '<', at),
    eb.and([eb('claimed_by', '!=', 'bench'), eb.exists(eb.selectFrom('services').select('services.id').whereRef('services.id', '=', 'inbox_items.claimed_by')
      .where('services.beat_at', '<', sql<string>`${at}`))]),
  ])]);
  const lookup = (due: typeof pending) => db.selectFrom('inbox_items').select('id').where(due).where('profile_id', '=', profileId);
  return db.selectFrom('inbox_items').select(['id', 'state', 'claimed_by', 'lease_until'])
    .where('id', 'in', lookup(pending).unionAll(lookup(orphaned)))
    .where((eb) => eb.or([pending(eb), orphaned(eb)]));
}
