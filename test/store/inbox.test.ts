// The durable inbox on SQLite and PostgreSQL: idempotent intake, claims that never hand one item to
// two workers, leases that return a crashed worker's items, backoff and the final failure.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { createProfile } from '../../src/store/profiles.js';
import {
  claimDueItems,
  getInboxItem,
  insertInboxItem,
  MAX_ATTEMPTS,
  recordError,
  recordOutcome,
  resetForRetry,
  hasOriginKeys,
  countByOutcome,
  listInboxItems,
} from '../../src/store/inbox.js';

for (const dialect of await dialects()) {
  describe(`inbox on ${dialect}`, () => {
    let t: TestStore;
    let profileId: number;
    before(async () => {
      t = await openTestStore(dialect);
      profileId = (await createProfile(t.store.db, { name: 'support', rules: 'then attach to project 1' })).id;
    });
    after(() => t.cleanup());

    const item = (key: string) => ({ profileId, originKey: key, rawRef: 'a'.repeat(64), rawSize: 10, messageId: `${key}@x` });

    test('the same origin key is stored once', async () => {
      const first = await insertInboxItem(t.store.db, item('uidl-1'));
      const second = await insertInboxItem(t.store.db, item('uidl-1'));
      assert.equal(first.inserted, true);
      assert.equal(second.inserted, false);
      assert.equal(second.item.id, first.item.id);
      assert.deepEqual([...(await hasOriginKeys(t.store.db, profileId, ['uidl-1', 'uidl-x']))], ['uidl-1']);
    });

    test('profile names are unique regardless of case', async () => {
      await assert.rejects(createProfile(t.store.db, { name: 'SUPPORT', rules: '' }), /already exists/);
    });

    test('concurrent claimers never get the same item', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 40; i++) ids.push((await insertInboxItem(t.store.db, item(`c-${i}`))).item.id);
      const claims = await Promise.all(
        Array.from({ length: 4 }, () => claimDueItems(t.store, { limit: 15, leaseMs: 60_000, ids })),
      );
      const claimed = claims.flat().map((i) => i.id);
      assert.equal(new Set(claimed).size, claimed.length, 'an item was claimed twice');
      assert.equal(claimed.length, 40);
      assert.deepEqual(await claimDueItems(t.store, { limit: 10, leaseMs: 60_000, ids }), []);
    });

    test('an expired lease makes the item due again (a crashed worker loses nothing)', async () => {
      const { item: it } = await insertInboxItem(t.store.db, item('lease-1'));
      const [claimed] = await claimDueItems(t.store, { limit: 1, leaseMs: -1000, ids: [it.id] });
      assert.equal(claimed?.id, it.id);
      const [again] = await claimDueItems(t.store, { limit: 1, leaseMs: 60_000, ids: [it.id] });
      assert.equal(again?.id, it.id);
    });

    // A claim's lookups each take only their first items (store/inbox.ts, dueItems): what narrows the
    // claim must narrow those lookups, or a claim would see only the first due items and find none of
    // the ones it asked for behind them.
    test('a claim narrowed to some items finds them behind many earlier due ones', async () => {
      const own = (await createProfile(t.store.db, { name: 'narrowed', rules: '' })).id;
      const ids: number[] = [];
      for (let i = 0; i < 30; i++) ids.push((await insertInboxItem(t.store.db, { ...item(`narrow-${i}`), profileId: own })).item.id);
      const byIds = await claimDueItems(t.store, { limit: 5, leaseMs: 60_000, profileId: own, ids: ids.slice(-3) });
      assert.deepEqual(byIds.map((i) => i.id), ids.slice(-3));
      // The first 20 arrived later than the rest, as if a run had started while they came in.
      await t.store.db.updateTable('inbox_items').set({ received_at: '2099-01-01T00:00:00.000Z' }).where('id', 'in', ids.slice(0, 20)).execute();
      const earlier = await claimDueItems(t.store, { limit: 5, leaseMs: 60_000, profileId: own, receivedBefore: '2098-01-01T00:00:00.000Z' });
      assert.deepEqual(earlier.map((i) => i.id), ids.slice(20, 25));
    });

    test('a claim takes items whose holder is gone first, then pending ones by lowest id', async () => {
      const own = (await createProfile(t.store.db, { name: 'ordered', rules: '' })).id;
      const ids: number[] = [];
      for (let i = 0; i < 25; i++) ids.push((await insertInboxItem(t.store.db, { ...item(`order-${i}`), profileId: own })).item.id);
      // Two late ones were claimed by a worker whose lease has run out.
      await claimDueItems(t.store, { limit: 2, leaseMs: -1000, ids: [ids[22]!, ids[24]!] });
      // The first three came due last (a retry's backoff, say): by time they would be taken last.
      await t.store.db.updateTable('inbox_items').set({ next_attempt_at: new Date(Date.now() - 1000).toISOString() }).where('id', 'in', ids.slice(0, 3)).execute();
      await t.store.db.updateTable('inbox_items').set({ next_attempt_at: '2026-01-01T00:00:00.000Z' }).where('id', 'in', ids.slice(3, 22)).execute();
      const claimed = await claimDueItems(t.store, { limit: 5, leaseMs: 60_000, profileId: own });
      assert.deepEqual(claimed.map((i) => i.id), [...ids.slice(0, 3), ids[22], ids[24]]);
      const rest = await claimDueItems(t.store, { limit: 30, leaseMs: 60_000, profileId: own });
      assert.deepEqual(rest.map((i) => i.id), [...ids.slice(3, 22), ids[23]]);
    });

    test('errors back off and the fifth is final; retry makes it due again', async () => {
      let { item: it } = await insertInboxItem(t.store.db, item('err-1'));
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        it = await recordError(t.store.db, it, `boom ${attempt}`);
        assert.equal(it.attempts, attempt);
        if (attempt < MAX_ATTEMPTS) {
          assert.equal(it.state, 'pending');
          assert.ok(Date.parse(it.nextAttemptAt) > Date.now(), 'a retry waits for its backoff');
          assert.deepEqual(await claimDueItems(t.store, { limit: 1, leaseMs: 1000, ids: [it.id] }), []);
        }
      }
      assert.equal(it.state, 'failed');
      assert.equal(it.outcome, 'failed');
      assert.match(it.reason ?? '', /failed after 5 attempts: boom 5/);
      assert.ok(await resetForRetry(t.store.db, it.id));
      const [due] = await claimDueItems(t.store, { limit: 1, leaseMs: 1000, ids: [it.id] });
      assert.equal(due?.id, it.id);
      assert.equal(await resetForRetry(t.store.db, it.id), undefined, 'an item being processed is not reset');
      await recordOutcome(t.store.db, it.id, { outcome: 'imported', reason: null, ruleLine: 1, actions: [], created: {}, trace: null });
      assert.equal(await resetForRetry(t.store.db, it.id), undefined, 'an imported item is never reset');
    });

    test('a recorded outcome is kept with its trace', async () => {
      const { item: it } = await insertInboxItem(t.store.db, item('out-1'));
      await recordOutcome(t.store.db, it.id, {
        outcome: 'imported', reason: null, ruleLine: 3, actions: ['attach to project 1'], created: { requests: [7] }, trace: { a: 1 },
      });
      const stored = await getInboxItem(t.store.db, it.id);
      assert.equal(stored?.outcome, 'imported');
      assert.equal(stored?.ruleLine, 3);
      assert.deepEqual(stored?.actions, ['attach to project 1']);
      assert.deepEqual(stored?.created, { requests: [7] });
      assert.deepEqual(stored?.trace, { a: 1 });
      const counts = await countByOutcome(t.store.db, profileId);
      assert.equal(counts.imported, (await listInboxItems(t.store.db, { profileId, outcome: 'imported' })).length);
      assert.ok(counts.imported >= 1);
    });
  });

  // While many items wait out a retry's backoff, a claim's pending lookup passes over them in its index
  // (migrations 020, 021) and must still find the one that comes due among them. The inbox is this
  // test's alone, so that nothing else is due.
  describe(`claims while items wait out a backoff on ${dialect}`, () => {
    let t: TestStore;
    before(async () => (t = await openTestStore(dialect)));
    after(() => t.cleanup());

    test('none due: none taken; the one that comes due, or whose holder is gone, is taken', async () => {
      const profileId = (await createProfile(t.store.db, { name: 'waiting', rules: '' })).id;
      const ids: number[] = [];
      for (let i = 0; i < 30; i++) {
        ids.push((await insertInboxItem(t.store.db, { profileId, originKey: `w-${i}`, rawRef: 'a'.repeat(64), rawSize: 10, messageId: `w-${i}@x` })).item.id);
      }
      const later = new Date(Date.now() + 3_600_000).toISOString();
      await t.store.db.updateTable('inbox_items').set({ next_attempt_at: later, attempts: 1 }).where('id', 'in', ids).execute();
      const claim = (narrow: { profileId?: number }) => claimDueItems(t.store, { limit: 20, leaseMs: 60_000, ...narrow });
      assert.deepEqual(await claim({}), []);
      assert.deepEqual(await claim({ profileId }), []);
      // One comes due, behind sixteen still waiting.
      await t.store.db.updateTable('inbox_items').set({ next_attempt_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', ids[16]!).execute();
      assert.deepEqual((await claim({ profileId })).map((i) => i.id), [ids[16]]);
      // Its holder's lease runs out while the rest still wait: taken over.
      await t.store.db.updateTable('inbox_items').set({ lease_until: '2000-01-01T00:00:00.000Z' }).where('id', '=', ids[16]!).execute();
      assert.deepEqual((await claim({})).map((i) => i.id), [ids[16]]);
    });

    // PostgreSQL's claim asks first for the earliest retry time of items with no fewer than no attempts
    // (store/inbox.ts, dueItems): an item with fewer would be hidden from it. Migration 021 forbids them.
    if (dialect === 'postgres') {
      test('no item has fewer than no attempts', async () => {
        const profileId = (await createProfile(t.store.db, { name: 'counted', rules: '' })).id;
        const { item: it } = await insertInboxItem(t.store.db, { profileId, originKey: 'n-1', rawRef: 'a'.repeat(64), rawSize: 10, messageId: 'n-1@x' });
        await assert.rejects(t.store.db.updateTable('inbox_items').set({ attempts: -1 }).where('id', '=', it.id).execute(), /inbox_items_attempts_not_negative/);
      });
    }
  });
}
