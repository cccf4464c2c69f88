// Processing lanes (`worker --concurrency N`, issue 14) on PostgreSQL: N loops in one service, each
// claiming and processing batches. Proved with a real lock instead of timing: a message whose requester
// row another transaction holds waits on it, and with it the rest of its lane's batch; a second lane goes
// on with everything else. Every message is processed once and each outcome recorded once; a stop in the
// middle gives back the claims no lane started on. On SQLite (one writer) more than one lane is refused.
// A worker killed with lanes in hand: cli/worker-concurrency.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, type App } from '../../src/app/app.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { runService } from '../../src/app/service.js';
import { addProject } from '../../src/app/tracker.js';
import { intakeMessage } from '../../src/sources/intake.js';
import type { Store } from '../../src/store/database.js';
import { memoryLog, type MemoryLog } from '../support/memory-log.js';
import { makeMessage } from '../support/messages.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { waitFor } from '../support/wait.js';

const MESSAGES = 100;
/** The message whose sender's requester row the test holds locked (not the first of its batch). */
const STUCK = 5;
const STUCK_SENDER = 'stuck@example.com';

class Rollback extends Error {}

/** A transaction holding an uncommitted requester row for STUCK_SENDER until released (then rolled back). */
export async function holdRequesterLock(store: Store): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const held = store.db
    .transaction()
    .execute(async (trx) => {
      await trx.insertInto('requesters').values({ email: STUCK_SENDER, name: 'Stuck', company_id: null, created_at: new Date().toISOString() }).execute();
      locked();
      await released;
      throw new Rollback();
    })
    .catch((error) => {
      if (!(error instanceof Rollback)) throw error;
    });
  await Promise.race([isLocked, held]);
  return {
    release: async () => {
      release();
      await held;
    },
  };
}

/** MESSAGES stored messages, each from its own sender; message STUCK from STUCK_SENDER. */
async function storeBurst(app: App): Promise<number[]> {
  await addProject(app, { name: 'General' }, cliPrincipal('test'));
  const { profile } = await createProfile(app, {
    name: 'support',
    rules: { text: 'then attach to project 1 and create request in project 1', label: 'rules' },
  }, cliPrincipal('test'));
  const ids: number[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const from = i === STUCK ? `Stuck <${STUCK_SENDER}>` : `Sender ${i} <sender${i}@example.com>`;
    ids.push((await intakeMessage(app.store, makeMessage({ from, subject: `message ${i}` }), { profileId: profile.id })).item.id);
  }
  return ids;
}

async function counts(store: Store): Promise<{ pending: number; processing: number; processed: number }> {
  const rows = await store.db.selectFrom('inbox_items').select((eb) => ['state', eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
  const of = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
  return { pending: of('pending'), processing: of('processing'), processed: of('done') + of('failed') };
}

/** The other lanes did all they could: nothing waits unclaimed, and all but the stuck batch is processed. */
async function allButTheStuckBatch(store: Store): Promise<boolean> {
  const c = await counts(store);
  return c.pending === 0 && c.processed > 0 && c.processed + c.processing === MESSAGES;
}

/** Every message once: one outcome, one tracker message, one request; the stuck sender one requester. */
async function assertEachOnce(store: Store, ids: number[], processedEvents: number[]): Promise<void> {
  const items = await store.db.selectFrom('inbox_items').select(['id', 'outcome', 'state']).orderBy('id').execute();
  assert.deepEqual(items.map((i) => [Number(i.id), i.state, i.outcome]), ids.map((id) => [id, 'done', 'imported']));
  const messages = await store.db.selectFrom('messages').select('inbox_item_id').execute();
  assert.deepEqual(messages.map((m) => Number(m.inbox_item_id)).sort((a, b) => a - b), ids, 'one tracker message per inbox item');
  const requests = await store.db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(requests.n), MESSAGES, 'one request per message');
  const stuck = await store.db.selectFrom('requesters').select('id').where('email', '=', STUCK_SENDER).execute();
  assert.equal(stuck.length, 1);
  assert.deepEqual([...processedEvents].sort((a, b) => a - b), ids, 'each outcome recorded (and reported) once');
}

function noTakeovers(log: MemoryLog): void {
  assert.deepEqual(log.records.filter((r) => /took over/.test(r.msg)).map((r) => r.msg), [], 'no lane took over another\'s claim');
}

const postgres = (await dialects()).includes('postgres');

describe('processing lanes on PostgreSQL', { skip: !postgres && 'PostgreSQL is not reachable' }, () => {
  test('two lanes: a message stuck on a lock holds up only its own batch; every message processed once, each outcome recorded once', async () => {
    const t: TestStore = await openTestStore('postgres');
    const app = assemble(t.store, { messageIdDomain: 'mailbind.test' });
    const log = memoryLog();
    const stop = new AbortController();
    const processedEvents: number[] = [];
    app.onProcessed((e) => processedEvents.push(e.itemId));
    let running: Promise<void> | undefined;
    try {
      const ids = await storeBurst(app);
      const lock = await holdRequesterLock(t.store);
      try {
        running = runService(app, log.logger, { kind: 'worker', signal: stop.signal, concurrency: 2 });
        // With one lane this never happens: it waits on the lock with the rest of the mail unclaimed.
        await waitFor(() => allButTheStuckBatch(t.store), {
          what: async () => `the second lane to process all but the stuck batch (${JSON.stringify(await counts(t.store))})`,
          timeoutMs: 30_000,
        });
        assert.ok(!processedEvents.includes(ids[STUCK]!), 'the stuck message waits for the lock');
      } finally {
        await lock.release();
      }
      await waitFor(async () => (await counts(t.store)).processed === MESSAGES, {
        what: async () => `every message processed (${JSON.stringify(await counts(t.store))})`,
        timeoutMs: 30_000,
      });
      stop.abort();
      await running;
      await assertEachOnce(t.store, ids, processedEvents);
      noTakeovers(log);
    } finally {
      stop.abort();
      await running?.catch(() => {});
      await t.cleanup();
    }
  });

  test('stopped in the middle: the claims no lane started on are given back at once, and the next service finishes the rest once', async () => {
    const t: TestStore = await openTestStore('postgres');
    const app = assemble(t.store, { messageIdDomain: 'mailbind.test' });
    const log = memoryLog();
    const processedEvents: number[] = [];
    app.onProcessed((e) => processedEvents.push(e.itemId));
    const first = new AbortController();
    const second = new AbortController();
    let running: Promise<void> | undefined;
    let next: Promise<void> | undefined;
    try {
      const ids = await storeBurst(app);
      const lock = await holdRequesterLock(t.store);
      try {
        running = runService(app, log.logger, { kind: 'worker', signal: first.signal, concurrency: 2 });
        await waitFor(async () => (await counts(t.store)).processed > 0, { what: 'the first service to process some mail', timeoutMs: 30_000 });
        // Stop while one lane is inside its batch (waiting on the lock): it finishes the message in hand only.
        first.abort();
      } finally {
        await lock.release();
      }
      await running;
      const after = await counts(t.store);
      assert.equal(after.processing, 0, 'no claim is left to run out');
      assert.ok(after.pending > 0, `stopped in the middle (${JSON.stringify(after)})`);
      next = runService(app, log.logger, { kind: 'worker', signal: second.signal, concurrency: 2 });
      await waitFor(async () => (await counts(t.store)).processed === MESSAGES, {
        what: async () => `the next service to process the rest (${JSON.stringify(await counts(t.store))})`,
        timeoutMs: 30_000,
      });
      second.abort();
      await next;
      await assertEachOnce(t.store, ids, processedEvents);
      noTakeovers(log);
    } finally {
      first.abort();
      second.abort();
      await running?.catch(() => {});
      await next?.catch(() => {});
      await t.cleanup();
    }
  });
});

describe('processing lanes on SQLite', () => {
  test('more than one lane is refused before the service registers: SQLite has one writer', async () => {
    const t = await openTestStore('sqlite');
    try {
      const app = assemble(t.store, { messageIdDomain: 'mailbind.test' });
      const stop = new AbortController();
      await assert.rejects(runService(app, memoryLog().logger, { kind: 'worker', signal: stop.signal, concurrency: 2 }),
        (error: Error) => /--concurrency 2 needs PostgreSQL/.test(error.message) && /one writer/.test(error.message));
      assert.deepEqual(await t.store.db.selectFrom('services').select('id').execute(), []);
    } finally {
      await t.cleanup();
    }
  });
});
