// Processing lanes (`worker --concurrency N`, issue 14) on PostgreSQL: N loops in one service, each
// claiming and processing batches. Proved with a real lock instead of timing: a message whose requester
// row another transaction holds waits on it, and with it the rest of its lane's batch; a second lane goes
// on with everything else. Every message is processed once and each outcome recorded once; a stop in the
// middle gives back the claims no lane started on. On SQLite (one writer) more than one lane is refused.
// A worker killed with lanes in hand: cli/worker-concurrency.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/app/app.js';
import { runService } from '../../src/app/service.js';
import { allButTheStuckBatch, assertEachOnce, counts, holdRequesterLock, MESSAGES, storeBurst, STUCK } from '../support/lanes.js';
import { memoryLog, type MemoryLog } from '../support/memory-log.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { waitFor } from '../support/wait.js';

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
