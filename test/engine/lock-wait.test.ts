// A message whose work needs a row another PostgreSQL session holds locked and never lets go of (a psql
// left open in BEGIN): it waits a bounded time (lock_timeout, store/lock-wait.ts), then is put back for
// a retry with why, and the rest of its group is recorded. Before, it waited for good, its claim renewed:
// no outcome and no error. The lock is real: an uncommitted requester row for the message's sender.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, openTestStore } from '../support/store.js';
import { holdRequesterLock, STUCK_SENDER } from '../support/lanes.js';
import { makeMessage } from '../support/messages.js';
import { memoryLog } from '../support/memory-log.js';
import { processorFor } from '../support/processor.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { getInboxItem, makeDueNow } from '../../src/store/inbox.js';
import { createProfile } from '../../src/store/profiles.js';
import { addProject } from '../../src/tracker/builtin/admin.js';

const postgres = (await dialects()).includes('postgres');

/** Rejects after `ms`: a wait that never ends fails the test, named, instead of hanging it. */
function noLongerThan<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} still waited after ${ms} ms`)), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

describe('a lock another session never lets go of, on PostgreSQL', { skip: !postgres && 'PostgreSQL is not reachable' }, () => {
  test('the message waiting on it is retried later with why; the others of its group are recorded, and it is once the lock is gone', async () => {
    const t = await openTestStore('postgres');
    try {
      await addProject(t.store.db, { name: 'General' });
      const profileId = (await createProfile(t.store.db, { name: 'support', rules: 'then attach to project 1 and create request in project 1\n' })).id;
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        const from = i === 2 ? `Stuck <${STUCK_SENDER}>` : `Sender ${i} <sender${i}@example.com>`;
        ids.push((await intakeMessage(t.store, makeMessage({ from, subject: `message ${i}` }), { profileId })).item.id);
      }
      const stuck = ids[2]!;
      const log = memoryLog();
      const lock = await holdRequesterLock(t.store);
      try {
        const processor = processorFor(t.store, { lockWaitMs: 300, logger: log.logger });
        const results = await noLongerThan(processor.processDue(), 20_000, 'processing');
        const expected = /^waited 300 ms for a lock another database session holds \(a requester, an item or a profile's outbox this message needs\); it is tried again later\. .*'idle in transaction'$/;
        const held = results.find((r) => r.itemId === stuck)!;
        assert.equal(held.outcome, null, 'not final: retried later');
        assert.match(held.error ?? '', expected);
        assert.deepEqual(results.filter((r) => r.itemId !== stuck).map((r) => [r.itemId, r.outcome]), ids.filter((id) => id !== stuck).map((id) => [id, 'imported']));
        const item = (await getInboxItem(t.store.db, stuck))!;
        assert.deepEqual([item.state, item.attempts, item.claimedBy], ['pending', 1, null]);
        assert.match(item.lastError ?? '', expected);
        const warned = log.find('processing failed; will retry', 40).filter((r) => r.item === stuck);
        assert.equal(warned.length, 1);
        assert.match(String(warned[0]!.err), expected);
      } finally {
        await lock.release();
      }
      // The lock gone, its retry (made due now, as `messages retry` does) records it, with its one requester.
      await makeDueNow(t.store.db, stuck);
      const again = await processorFor(t.store, { lockWaitMs: 300 }).processDue({ ids: [stuck] });
      assert.deepEqual(again.map((r) => [r.itemId, r.outcome]), [[stuck, 'imported']]);
      const requesters = await t.store.db.selectFrom('requesters').select('id').where('email', '=', STUCK_SENDER).execute();
      assert.equal(requesters.length, 1);
    } finally {
      await t.cleanup();
    }
  });
});
