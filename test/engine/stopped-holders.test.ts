// A message whose processing stops mailbind (a crash, a kill, a hang past its lease), on SQLite and
// PostgreSQL, with a parse thread parsing ahead as the service runs: its holder's batch is taken over
// together once; a message taken over before is then processed alone, nothing else claimed beside it; one
// whose holder stopped while it was alone twice is failed with why, and the rest of the mail is
// processed. What a stopped holder leaves behind is set up as it leaves it: claims held by a service
// whose heartbeat stopped, with the takeovers already counted (the real kill: cli/stopped-holders).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { processorFor } from '../support/processor.js';
import { ParsePool } from '../../src/engine/parsing/parse-pool.js';
import { createProfile } from '../../src/store/profiles.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { getInboxItem, MAX_TAKEOVERS, resetForRetry, stoppedHoldersReason } from '../../src/store/inbox.js';
import { registerService } from '../../src/store/services.js';
import { addProject } from '../../src/tracker/builtin/admin.js';
import { BuiltinTracker } from '../../src/tracker/builtin/index.js';
import type { Db } from '../../src/store/database.js';
import type { NewItem, TrackerWriter } from '../../src/tracker/port.js';

/** The builtin tracker, noting which items the processor ('next') held as each request was made. */
class WatchingInHand extends BuiltinTracker {
  readonly inHand = new Map<string, number[]>();

  override writer(transaction: Db): TrackerWriter {
    const writer = super.writer(transaction);
    const createItem = writer.createItem.bind(writer);
    writer.createItem = async (item: NewItem) => {
      const held = await transaction.selectFrom('inbox_items').select('id').where('state', '=', 'processing').where('claimed_by', '=', 'next').orderBy('id').execute();
      this.inHand.set(item.name, held.map((r) => Number(r.id)));
      return createItem(item);
    };
    return writer;
  }
}

for (const dialect of await dialects()) {
  describe(`messages whose holder stopped, on ${dialect}`, () => {
    let t: TestStore;
    let profileId: number;
    let pool: ParsePool;
    let n = 0;

    before(async () => {
      t = await openTestStore(dialect);
      await addProject(t.store.db, { name: 'General' });
      profileId = (await createProfile(t.store.db, { name: 'support', rules: 'then attach to project 1 and create request in project 1\n' })).id;
      await registerService(t.store.db, { id: 'dead', kind: 'worker', host: 'h', pid: 2 });
      await t.store.db.updateTable('services').set({ beat_at: new Date(Date.now() - 60_000).toISOString() }).where('id', '=', 'dead').execute();
      pool = new ParsePool(t.store.dataDir, 1);
    });
    after(async () => {
      await pool.close();
      await t.cleanup();
    });

    /** `count` stored messages, each its own subject; the first `held` of them held by the dead service, taken over `takeovers` times. */
    async function storeMessages(count: number, held: number, takeovers: number): Promise<number[]> {
      const ids: number[] = [];
      for (let i = 0; i < count; i++) {
        const subject = `message ${++n}`;
        ids.push((await intakeMessage(t.store, makeMessage({ subject, from: `Sender ${n} <s${n}@example.com>` }), { profileId })).item.id);
      }
      if (held) {
        await t.store.db.updateTable('inbox_items')
          .set({ state: 'processing', claimed_by: 'dead', lease_until: new Date(Date.now() + 600_000).toISOString(), takeovers })
          .where('id', 'in', ids.slice(0, held)).execute();
      }
      return ids;
    }

    const stateOf = async (id: number) => {
      const item = (await getInboxItem(t.store.db, id))!;
      return { state: item.state, outcome: item.outcome, takeovers: item.takeovers, attempts: item.attempts };
    };
    const subjectOf = async (id: number) => (await getInboxItem(t.store.db, id))!.subject!;

    test('a stopped holder\'s batch is taken over together with other mail, and processed once', async () => {
      const tracker = new WatchingInHand(t.store.db);
      const ids = await storeMessages(30, 20, 0);
      const results = await processorFor(t.store, { tracker, parser: pool, owner: 'next' }).processDue();
      assert.deepEqual(results.map((r) => r.itemId).sort((a, b) => a - b), ids);
      for (const id of ids) assert.deepEqual(await stateOf(id), { state: 'done', outcome: 'imported', takeovers: ids.indexOf(id) < 20 ? 1 : 0, attempts: 0 });
      // The first batch claimed held the 20 taken over: other mail was in hand beside them.
      assert.ok(tracker.inHand.get(await subjectOf(ids[0]!))!.length > 1, 'processed beside the others');
    });

    /** 45 messages pending; two in the middle left by a dead holder that had taken them over once already. */
    async function twoSuspects(): Promise<{ ids: number[]; suspects: number[] }> {
      const ids = await storeMessages(45, 0, 0);
      const suspects = [ids[20]!, ids[21]!];
      await t.store.db.updateTable('inbox_items')
        .set({ state: 'processing', claimed_by: 'dead', lease_until: new Date(Date.now() + 600_000).toISOString(), takeovers: 1 })
        .where('id', 'in', suspects).execute();
      return { ids, suspects };
    }

    test('a message taken over before is processed alone: nothing else is claimed while it is in hand', async () => {
      const tracker = new WatchingInHand(t.store.db);
      const { ids, suspects } = await twoSuspects();
      const results = await processorFor(t.store, { tracker, parser: pool, owner: 'next' }).processDue();
      assert.equal(results.length, ids.length);
      for (const suspect of suspects) {
        assert.deepEqual(tracker.inHand.get(await subjectOf(suspect)), [suspect], 'alone in hand');
        assert.deepEqual(await stateOf(suspect), { state: 'done', outcome: 'imported', takeovers: 2, attempts: 0 });
      }
      // They went first (work begun and abandoned), one after the other; the others came after them, in groups again.
      assert.deepEqual(results.slice(0, 2).map((r) => r.itemId), suspects);
      assert.ok(tracker.inHand.get(await subjectOf(ids[30]!))!.length > 1, 'the rest in groups again');
    });

    test('one call takes everything due (as fetch --once makes it): a stopped holder\'s batch, then alone the message taken over before, then the rest', async () => {
      const tracker = new WatchingInHand(t.store.db);
      const ids = await storeMessages(50, 20, 0);
      const suspect = ids[35]!;
      await t.store.db.updateTable('inbox_items')
        .set({ state: 'processing', claimed_by: 'dead', lease_until: new Date(Date.now() + 600_000).toISOString(), takeovers: 1 })
        .where('id', '=', suspect).execute();
      const results = await processorFor(t.store, { tracker, parser: pool, owner: 'next' }).processDue();
      assert.deepEqual(results.map((r) => r.itemId).sort((a, b) => a - b), ids, 'all in one call');
      assert.deepEqual(results.slice(0, 21).map((r) => r.itemId), [...ids.slice(0, 20), suspect]);
      assert.deepEqual(tracker.inHand.get(await subjectOf(suspect)), [suspect], 'alone in hand');
    });

    test('a claim whose lease ran out in the processor itself is taken back, not counted, and said as such', async () => {
      const [id] = await storeMessages(1, 0, 0);
      await t.store.db.updateTable('inbox_items')
        .set({ state: 'processing', claimed_by: 'next', lease_until: new Date(Date.now() - 1000).toISOString() })
        .where('id', '=', id!).execute();
      const warned: string[] = [];
      const logger = { warn: (_: unknown, text: string) => void warned.push(text), info: () => {}, error: () => {} } as never;
      const results = await processorFor(t.store, { parser: pool, owner: 'next', logger }).processDue();
      assert.deepEqual(results.map((r) => [r.itemId, r.outcome]), [[id, 'imported']]);
      assert.deepEqual(warned, ['took back a message whose claim ran out in this process (lease expired)']);
      assert.equal((await stateOf(id!)).takeovers, 0);
    });

    if (dialect === 'postgres') {
      test('with two processing lanes, each message taken over before is alone in the whole process', async () => {
        const tracker = new WatchingInHand(t.store.db);
        const { ids, suspects } = await twoSuspects();
        const processor = processorFor(t.store, { tracker, parser: pool, owner: 'next' });
        const lanes = await Promise.all([processor.processDue(), processor.processDue()]);
        // A lane that found nothing to claim beside a message held alone ends its pass; the service's loop runs it again.
        while ((await getInboxItem(t.store.db, ids.at(-1)!))!.outcome === null) lanes.push(await processor.processDue());
        assert.deepEqual(lanes.flat().map((r) => r.itemId).sort((a, b) => a - b), ids);
        for (const suspect of suspects) assert.deepEqual(tracker.inHand.get(await subjectOf(suspect)), [suspect], 'alone in hand');
      });
    }

    test(`one whose holder stopped while it was alone twice (${MAX_TAKEOVERS} takeovers) is failed with why; the rest is processed; a retry by hand processes it`, async () => {
      const ids = await storeMessages(10, 0, 0);
      const poison = ids[3]!;
      await t.store.db.updateTable('inbox_items')
        .set({ state: 'processing', claimed_by: 'dead', lease_until: new Date(Date.now() + 600_000).toISOString(), takeovers: MAX_TAKEOVERS })
        .where('id', '=', poison).execute();
      const logged: string[] = [];
      const logger = { warn: () => {}, info: () => {}, error: (_: unknown, text: string) => void logged.push(text) } as never;
      const results = await processorFor(t.store, { parser: pool, owner: 'next', logger }).processDue();
      // Given up by the claim, it is one of the call's results (fetch --once reports it), failed with why.
      assert.deepEqual(results.map((r) => r.itemId).sort((a, b) => a - b), ids);
      assert.deepEqual(results.filter((r) => r.itemId === poison).map((r) => [r.outcome, r.subject, r.reason]),
        [['failed', await subjectOf(poison), stoppedHoldersReason(MAX_TAKEOVERS, poison)]]);
      const item = (await getInboxItem(t.store.db, poison))!;
      assert.deepEqual([item.state, item.outcome, item.claimedBy, item.attempts], ['failed', 'failed', null, 0]);
      assert.match(item.reason!, /^mailbind stopped 4 times while this message was being processed \(the process ended or hung\), the last 2 times with no other message in hand: it is not tried again/);
      assert.ok(item.reason!.endsWith(`(mailbind messages retry ${poison})`), item.reason!);
      assert.equal(item.lastError, null, 'the reason is said once: no attempt failed');
      assert.deepEqual(logged, [`gave a message up: ${item.reason}`]);
      assert.ok(await resetForRetry(t.store.db, poison));
      assert.equal((await getInboxItem(t.store.db, poison))!.takeovers, 0, 'a retry by hand starts the count again');
      const again = await processorFor(t.store, { parser: pool, owner: 'next' }).processDue();
      assert.deepEqual(again.map((r) => [r.itemId, r.outcome]), [[poison, 'imported']]);
    });
  });
}
