// A message whose parse never ends on a parse thread (test/support/hanging-parse-worker.ts stands for a
// parser bug on some input): the messages beside it are recorded, it is retried later with why, and a
// retry of it alone goes to a parse thread again, where the stuck thread is stopped, never to the
// processing thread, where it would hang the whole process.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { processorFor } from '../support/processor.js';
import { ParsePool } from '../../src/engine/parsing/parse-pool.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { getInboxItem, makeDueNow, MAX_TAKEOVERS, resetForRetry, stoppedHoldersReason } from '../../src/store/inbox.js';
import { createProfile } from '../../src/store/profiles.js';
import { addProject } from '../../src/tracker/builtin/admin.js';

const STUCK = 'parsing did not end: its parse thread answered nothing for 1 s and was stopped';

for (const dialect of await dialects()) {
  describe(`a parse that never ends, on ${dialect}`, () => {
    let t: TestStore;
    let pool: ParsePool;
    let profileId: number;

    before(async () => {
      t = await openTestStore(dialect);
      await addProject(t.store.db, { name: 'General' });
      profileId = (await createProfile(t.store.db, { name: 'support', rules: 'then attach to project 1 and create request in project 1\n' })).id;
      pool = new ParsePool(t.store.dataDir, 1, { silentThreadMs: 1000, worker: new URL('../support/hanging-parse-worker.js', import.meta.url) });
    });
    after(async () => {
      await pool.close();
      await t.cleanup();
    });

    test('the others are recorded; it is retried with why, and its retries alone, by hand too, are parsed on a thread again', async () => {
      const subjects = ['Parsed before it', 'Hang forever', 'Parsed after it'];
      const ids: number[] = [];
      for (const subject of subjects) ids.push((await intakeMessage(t.store, makeMessage({ subject }), { profileId })).item.id);
      const stuck = ids[1]!;
      const processor = processorFor(t.store, { parser: pool });
      const first = await processor.processDue();
      assert.deepEqual(first.map((r) => [r.itemId, r.outcome, r.error ?? null]).sort((a, b) => Number(a[0]) - Number(b[0])),
        [[ids[0], 'imported', null], [stuck, null, STUCK], [ids[2], 'imported', null]]);
      assert.deepEqual([(await getInboxItem(t.store.db, stuck))!.attempts, (await getInboxItem(t.store.db, stuck))!.lastError], [1, STUCK]);

      // Alone now (the only message due): a new message alone is parsed on the processing thread, where
      // this one would never end; tried before, it goes to a parse thread, and fails there the same way.
      await makeDueNow(t.store.db, stuck);
      const second = await processor.processDue();
      assert.deepEqual(second.map((r) => [r.itemId, r.outcome, r.error ?? null]), [[stuck, null, STUCK]]);
      assert.equal((await getInboxItem(t.store.db, stuck))!.attempts, 2);

      // Its last attempt fails it for good, with why; retried by hand (attempts back to 0, its last error
      // kept), it still goes to a parse thread.
      let last;
      do {
        await makeDueNow(t.store.db, stuck);
        [last] = await processor.processDue();
      } while (last && last.outcome === null);
      assert.equal(last?.outcome, 'failed');
      assert.match(last?.reason ?? '', /parsing did not end/);
      assert.ok(await resetForRetry(t.store.db, stuck));
      const byHand = await processor.processDue({ ids: [stuck] });
      assert.deepEqual(byHand.map((r) => [r.itemId, r.outcome, r.error ?? null]), [[stuck, null, STUCK]]);
    });

    test('given up for stopping its holders (no last error), then retried by hand, it is parsed on a thread', async () => {
      const id = (await intakeMessage(t.store, makeMessage({ subject: 'Hang forever' }), { profileId })).item.id;
      // As claimDueItems leaves a message whose holders stopped MAX_TAKEOVERS + 1 times.
      await t.store.db.updateTable('inbox_items')
        .set({ state: 'failed', outcome: 'failed', reason: stoppedHoldersReason(MAX_TAKEOVERS, id), processed_at: new Date().toISOString(), takeovers: MAX_TAKEOVERS })
        .where('id', '=', id).execute();
      assert.ok(await resetForRetry(t.store.db, id));
      const byHand = await processorFor(t.store, { parser: pool }).processDue({ ids: [id] });
      assert.deepEqual(byHand.map((r) => [r.itemId, r.outcome, r.error ?? null]), [[id, null, STUCK]]);
    });
  });
}
