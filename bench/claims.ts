// What one claim of 20 items costs while many items wait, as when a large mailbox is taken in faster
// than it is processed (`fetch --once` of a whole mailbox, an import): store/inbox.ts's dueItemsQuery as
// claims run it (each lookup cut to its first 20 by id, `first`; on PostgreSQL locking them, FOR UPDATE
// SKIP LOCKED, inside the claim's transaction) and as it ran before (every due item looked up), side by
// side in one run, on one inbox of 50,000 done items and 1,000, 10,000 or 100,000 waiting, on SQLite and,
// where it answers, on PostgreSQL (MAILBIND_TEST_DATABASE_URL, as the tests). Only the lookup is timed,
// not the update that takes the items, so both forms run again and again on the same items.
// `npm run bench -- claims`.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropPgSchema, openStore, type Store } from '../src/store/database.js';
import { dueItemsQuery } from '../src/store/inbox.js';
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
      const store = await openStore({ dataDir: dir, ...(dialect === 'postgres' ? { databaseUrl: PG_URL, schema } : {}) });
      try {
        const profileId = await fill(store, waiting);
        const at = new Date().toISOString();
        const claim = (first: boolean) => store.db.transaction().execute(async (trx) => {
          const query = dueItemsQuery(trx, { at, dbAt: at, profileId, owner: 'bench', ...(first ? { first: { count: CLAIM, skipLocked: dialect === 'postgres' } } : {}) })
            .orderBy('id').limit(CLAIM);
          return (dialect === 'postgres' ? query.forUpdate().skipLocked() : query).execute();
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
        await store.close();
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
