// Leases that notice death, on SQLite and PostgreSQL: a mailbox poll lease or a message claim held by
// a service whose heartbeat stopped is taken over at once (long before the lease runs out), and said;
// one held by a live service is not; a holder renews its claims while it works.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { createProfile } from '../../src/store/profiles.js';
import { claimDueItems, claimedAlone, getInboxItem, insertInboxItem, MAX_TAKEOVERS, putOff, recordError, recordOutcome, releaseClaims, renewClaims, stoppedHoldersReason,
  type GivenUp, type Takeover } from '../../src/store/inbox.js';
import { beat, registerService } from '../../src/store/services.js';
import { acquirePollLease } from '../../src/sources/status.js';
import { waitFor } from '../support/wait.js';

for (const dialect of await dialects()) {
  describe(`dead holders on ${dialect}`, () => {
    let t: TestStore;
    let profileId: number;
    let n = 0;
    before(async () => {
      t = await openTestStore(dialect);
      profileId = (await createProfile(t.store.db, { name: 'support', rules: '' })).id;
      await registerService(t.store.db, { id: 'alive', kind: 'worker', host: 'h', pid: 1 });
      await registerService(t.store.db, { id: 'dead', kind: 'worker', host: 'h', pid: 2 });
      // The dead one's last heartbeat was a minute ago: it missed many beats.
      await t.store.db.updateTable('services').set({ beat_at: new Date(Date.now() - 60_000).toISOString() }).where('id', '=', 'dead').execute();
    });
    after(() => t.cleanup());

    const newItem = async () =>
      (await insertInboxItem(t.store.db, { profileId, originKey: `k${++n}`, rawRef: String(n).padStart(64, '0'), rawSize: 1 })).item;

    test('a claim held by a dead service is taken over at once, and said; a live holder keeps its claim', async () => {
      const mine = await newItem();
      const theirs = await newItem();
      await claimDueItems(t.store, { limit: 1, leaseMs: 10 * 60_000, ids: [mine.id], owner: 'alive' });
      await claimDueItems(t.store, { limit: 1, leaseMs: 10 * 60_000, ids: [theirs.id], owner: 'dead' });
      const heard: Takeover[] = [];
      const taken = await claimDueItems(t.store, { limit: 10, leaseMs: 30_000, ids: [mine.id, theirs.id], owner: 'new', onTakeover: (x) => heard.push(x) });
      assert.deepEqual(taken.map((i) => [i.id, i.claimedBy]), [[theirs.id, 'new']]);
      assert.deepEqual(heard, [{ itemId: theirs.id, from: 'dead', why: 'holder stopped', takeovers: 1 }]);
    });

    test('a service never takes its own claims for dead: its processing lanes share its id, and it is alive while it claims', async () => {
      // Its heartbeat went stale while it lived (the database was away for a while, the event loop stalled).
      await registerService(t.store.db, { id: 'stalled', kind: 'worker', host: 'h', pid: 3 });
      await t.store.db.updateTable('services').set({ beat_at: new Date(Date.now() - 60_000).toISOString() }).where('id', '=', 'stalled').execute();
      const item = await newItem();
      await claimDueItems(t.store, { limit: 1, leaseMs: 10 * 60_000, ids: [item.id], owner: 'stalled' });
      const heard: Takeover[] = [];
      assert.deepEqual(await claimDueItems(t.store, { limit: 1, leaseMs: 30_000, ids: [item.id], owner: 'stalled', onTakeover: (x) => heard.push(x) }), [],
        'another lane of the same service leaves it to the lane that holds it');
      assert.equal(heard.length, 0);
      const taken = await claimDueItems(t.store, { limit: 1, leaseMs: 30_000, ids: [item.id], owner: 'new', onTakeover: (x) => heard.push(x) });
      assert.deepEqual(taken.map((i) => [i.id, i.claimedBy]), [[item.id, 'new']], 'another service takes it for dead');
      assert.deepEqual(heard.map((h) => h.why), ['holder stopped']);
    });

    test('a stopping service gives back the claims it did not start on, at once; others\' claims and outcomes stay', async () => {
      const [unstarted, finished, others] = [await newItem(), await newItem(), await newItem()];
      await claimDueItems(t.store, { limit: 2, leaseMs: 10 * 60_000, ids: [unstarted.id, finished.id], owner: 'leaving' });
      await claimDueItems(t.store, { limit: 1, leaseMs: 10 * 60_000, ids: [others.id], owner: 'other' });
      assert.ok(await recordOutcome(t.store.db, finished.id, { outcome: 'skipped', reason: 'no rule', ruleLine: null, actions: [], created: {}, trace: {}, claimedBy: 'leaving' }));
      assert.equal(await releaseClaims(t.store.db, 'leaving'), 1);
      const state = async (id: number) => {
        const i = (await getInboxItem(t.store.db, id))!;
        return [i.state, i.claimedBy, i.outcome, i.attempts];
      };
      assert.deepEqual(await state(unstarted.id), ['pending', null, null, 0], 'due again, no attempt spent');
      assert.deepEqual(await state(finished.id), ['done', null, 'skipped', 0]);
      assert.deepEqual(await state(others.id), ['processing', 'other', null, 0]);
      const next = await claimDueItems(t.store, { limit: 5, leaseMs: 30_000, ids: [unstarted.id, finished.id, others.id], owner: 'next' });
      assert.deepEqual(next.map((i) => i.id), [unstarted.id], 'the next worker takes it without waiting for the lease');
    });

    test('an expired claim is taken over with "lease expired"; the loser cannot spend the new holder\'s attempt', async () => {
      const item = await newItem();
      const [old] = await claimDueItems(t.store, { limit: 1, leaseMs: -1, ids: [item.id], owner: 'alive' });
      const heard: Takeover[] = [];
      await claimDueItems(t.store, { limit: 1, leaseMs: 30_000, ids: [item.id], owner: 'new', onTakeover: (x) => heard.push(x) });
      assert.deepEqual(heard, [{ itemId: item.id, from: 'alive', why: 'lease expired', takeovers: 1 }]);
      await recordError(t.store.db, old!, 'too late');
      const now = await getInboxItem(t.store.db, item.id);
      assert.deepEqual([now?.state, now?.attempts, now?.claimedBy], ['processing', 0, 'new']);
    });

    test('takeovers are counted: a dead holder\'s batch is taken over together, an item taken over before alone, and only by a holder of nothing else', async () => {
      const [a, b, c, pending] = [await newItem(), await newItem(), await newItem(), await newItem()];
      const ids = [a.id, b.id, c.id, pending.id];
      await claimDueItems(t.store, { limit: 3, leaseMs: 10 * 60_000, ids: [a.id, b.id, c.id], owner: 'dead' });
      const first = await claimDueItems(t.store, { limit: 10, leaseMs: 10 * 60_000, ids, owner: 'dead2' });
      assert.deepEqual(first.map((i) => [i.id, i.takeovers]), [[a.id, 1], [b.id, 1], [c.id, 1], [pending.id, 0]], 'the batch together, with pending mail');
      // dead2 stops as well.
      await registerService(t.store.db, { id: 'dead2', kind: 'worker', host: 'h', pid: 4 });
      await t.store.db.updateTable('services').set({ beat_at: new Date(Date.now() - 60_000).toISOString() }).where('id', '=', 'dead2').execute();
      const waiting: string[] = [];
      const busy = await claimDueItems(t.store, { limit: 10, leaseMs: 30_000, ids, owner: 'busy', aloneAllowed: false, onAloneWaiting: () => waiting.push('said') });
      assert.deepEqual(busy.map((i) => [i.id, i.takeovers, claimedAlone(i)]), [[pending.id, 1, false]],
        'a holder of other messages takes the rest of the batch taken over the first time, none of those taken over before');
      assert.deepEqual(waiting, ['said']);
      const heard: Takeover[] = [];
      for (const expected of [a.id, b.id, c.id]) {
        const one = await claimDueItems(t.store, { limit: 10, leaseMs: 30_000, ids, owner: 'next', onTakeover: (x) => heard.push(x) });
        assert.deepEqual(one.map((i) => [i.id, i.takeovers, claimedAlone(i)]), [[expected, 2, true]], 'one at a time');
      }
      assert.deepEqual(heard.map((h) => [h.itemId, h.takeovers]), [[a.id, 2], [b.id, 2], [c.id, 2]]);
    });

    test(`an item taken over ${MAX_TAKEOVERS} times is failed instead of claimed, said once the claim has committed; asked for by id, it is claimed alone`, async () => {
      const item = await newItem();
      await claimDueItems(t.store, { limit: 1, leaseMs: 10 * 60_000, ids: [item.id], owner: 'dead' });
      await t.store.db.updateTable('inbox_items').set({ takeovers: MAX_TAKEOVERS }).where('id', '=', item.id).execute();
      const givenUp: GivenUp[] = [];
      const seenThen: Array<Promise<string | undefined>> = [];
      const onGivenUp = (g: GivenUp) => {
        givenUp.push(g);
        // Read on another connection (PostgreSQL): inside the claim's transaction it would still be in hand.
        seenThen.push(getInboxItem(t.store.db, g.itemId).then((i) => i?.state));
      };
      // A claim of whatever is due (other tests' pending items may come with it), not of this item by id.
      const claimed = await claimDueItems(t.store, { limit: 50, leaseMs: 30_000, owner: 'next', onGivenUp });
      assert.ok(!claimed.some((i) => i.id === item.id));
      const now = (await getInboxItem(t.store.db, item.id))!;
      assert.deepEqual([now.state, now.outcome, now.claimedBy, now.takeovers], ['failed', 'failed', null, MAX_TAKEOVERS]);
      const lease = await t.store.db.selectFrom('inbox_items').select('lease_until').where('id', '=', item.id).executeTakeFirstOrThrow();
      assert.equal(lease.lease_until, null);
      assert.equal(now.reason, stoppedHoldersReason(MAX_TAKEOVERS, item.id));
      assert.deepEqual(givenUp, [{ itemId: item.id, profileId, receivedAt: now.receivedAt, messageId: null, subject: null, takeovers: MAX_TAKEOVERS, reason: now.reason }]);
      assert.deepEqual(await Promise.all(seenThen), ['failed']);
      // One asked for by id (a retry by hand) is tried, alone.
      const again = await newItem();
      await claimDueItems(t.store, { limit: 1, leaseMs: 10 * 60_000, ids: [again.id], owner: 'dead' });
      await t.store.db.updateTable('inbox_items').set({ takeovers: MAX_TAKEOVERS }).where('id', '=', again.id).execute();
      const taken = await claimDueItems(t.store, { limit: 5, leaseMs: 30_000, ids: [again.id], owner: 'next', onGivenUp });
      assert.deepEqual(taken.map((i) => [i.id, i.takeovers, claimedAlone(i)]), [[again.id, MAX_TAKEOVERS + 1, true]]);
    });

    test('the count starts again when an attempt ends with its holder alive, and a lease that ran out in the claiming process itself is no takeover', async () => {
      const [failing, putOffOne, released, ownLease] = [await newItem(), await newItem(), await newItem(), await newItem()];
      const ids = [failing.id, putOffOne.id, released.id, ownLease.id];
      await claimDueItems(t.store, { limit: 4, leaseMs: 10 * 60_000, ids, owner: 'dead' });
      const claimed = await claimDueItems(t.store, { limit: 4, leaseMs: 10 * 60_000, ids, owner: 'next' });
      assert.deepEqual(claimed.map((i) => i.takeovers), [1, 1, 1, 1]);
      const [a, b] = claimed;
      await recordError(t.store.db, a!, 'the tracker was away');
      assert.ok(await putOff(t.store.db, b!, 'waiting for its original', 60_000));
      await t.store.db.updateTable('inbox_items').set({ claimed_by: 'leaving' }).where('id', '=', released.id).execute();
      assert.equal(await releaseClaims(t.store.db, 'leaving'), 1);
      const count = async (id: number) => (await getInboxItem(t.store.db, id))!.takeovers;
      assert.deepEqual([await count(failing.id), await count(putOffOne.id), await count(released.id)], [0, 0, 0]);
      // 'next' lost track of its claim (a pass that failed) and takes it again when its lease has run out.
      await t.store.db.updateTable('inbox_items').set({ lease_until: new Date(Date.now() - 1000).toISOString() }).where('id', '=', ownLease.id).execute();
      const heard: Takeover[] = [];
      const own = await claimDueItems(t.store, { limit: 1, leaseMs: 30_000, ids: [ownLease.id], owner: 'next', onTakeover: (x) => heard.push(x) });
      assert.deepEqual(own.map((i) => [i.id, i.takeovers]), [[ownLease.id, 1]], 'not counted again');
      assert.deepEqual(heard.map((h) => [h.why, h.takeovers]), [['lease expired', 1]]);
      // Nor is one given up at the limit: this holder did not stop.
      await t.store.db.updateTable('inbox_items').set({ takeovers: MAX_TAKEOVERS, lease_until: new Date(Date.now() - 1000).toISOString() })
        .where('id', '=', ownLease.id).execute();
      const givenUp: GivenUp[] = [];
      const again = await claimDueItems(t.store, { limit: 50, leaseMs: 30_000, owner: 'next', onGivenUp: (g) => givenUp.push(g) });
      assert.ok(again.some((i) => i.id === ownLease.id && i.takeovers === MAX_TAKEOVERS));
      assert.ok(!givenUp.some((g) => g.itemId === ownLease.id));
    });

    test('renewing extends only the claims the holder still has', async () => {
      const a = await newItem();
      const b = await newItem();
      await claimDueItems(t.store, { limit: 2, leaseMs: 1000, ids: [a.id, b.id], owner: 'alive' });
      await t.store.db.updateTable('inbox_items').set({ claimed_by: 'other' }).where('id', '=', b.id).execute();
      await renewClaims(t.store, [a.id, b.id], 'alive', 60_000);
      const leaseOf = async (id: number) => (await t.store.db.selectFrom('inbox_items').select('lease_until').where('id', '=', id).executeTakeFirstOrThrow()).lease_until!;
      assert.ok(Date.parse(await leaseOf(a.id)) > Date.now() + 50_000, 'a renewed');
      assert.ok(Date.parse(await leaseOf(b.id)) < Date.now() + 5_000, 'b left alone');
    });

    if (dialect === 'postgres') {
      test('renewing skips a claim the holder\'s own group transaction is recording: it neither waits for it nor deadlocks with it', async () => {
        const a = await newItem();
        const b = await newItem();
        await claimDueItems(t.store, { limit: 2, leaseMs: 1000, ids: [a.id, b.id], owner: 'alive' });
        const leaseOf = async (id: number) => (await t.store.db.selectFrom('inbox_items').select('lease_until').where('id', '=', id).executeTakeFirstOrThrow()).lease_until!;
        let renewed = false;
        await t.store.db.transaction().execute(async (trx) => {
          // The group has recorded a (its row is locked until the commit) and goes on to b.
          await recordOutcome(trx, a.id, { outcome: 'ignored', reason: 'test', ruleLine: null, actions: [], created: {}, trace: {}, claimedBy: 'alive' });
          const renewal = renewClaims(t.store, [a.id, b.id], 'alive', 60_000).then(() => void (renewed = true));
          // Waiting on a's lock, the renewal would lock b first and the group would then wait on it.
          await waitFor(() => renewed, { what: 'the renewal to return while the group holds a', timeoutMs: 10_000 });
          await renewal;
          assert.ok(Date.parse(await leaseOf(b.id)) > Date.now() + 50_000, 'b renewed');
          await recordOutcome(trx, b.id, { outcome: 'ignored', reason: 'test', ruleLine: null, actions: [], created: {}, trace: {}, claimedBy: 'alive' });
        });
        assert.deepEqual([(await getInboxItem(t.store.db, a.id))?.state, (await getInboxItem(t.store.db, b.id))?.state], ['done', 'done']);
      });
    }

    test('a worker whose clock runs a minute ahead takes no live holder for dead (the database\'s clock decides)', async () => {
      const p = await createProfile(t.store.db, { name: `skew-${dialect}`, rules: '' });
      await beat(t.store.db, { id: 'alive', kind: 'worker', host: 'h', pid: 1 });
      assert.equal(await acquirePollLease(t.store.db, p.id, 'alive', 30_000), true);
      const item = await newItem();
      await claimDueItems(t.store, { limit: 1, leaseMs: 30_000, ids: [item.id], owner: 'alive' });
      const realNow = Date.now;
      Date.now = () => realNow() + 60_000;
      try {
        assert.equal(await acquirePollLease(t.store.db, p.id, 'skewed', 30_000), false, 'the mailbox stays with its live holder');
        assert.deepEqual(await claimDueItems(t.store, { limit: 1, leaseMs: 30_000, ids: [item.id], owner: 'skewed' }), [], 'so does the message');
      } finally {
        Date.now = realNow;
      }
    });

    test('a poll lease held by a dead service is taken over and said; a live one is not', async () => {
      const p = await createProfile(t.store.db, { name: `lease-${dialect}`, rules: '' });
      assert.equal(await acquirePollLease(t.store.db, p.id, 'dead', 10 * 60_000), true);
      const heard: string[] = [];
      assert.equal(await acquirePollLease(t.store.db, p.id, 'new', 30_000, (from) => heard.push(from)), true);
      assert.deepEqual(heard, ['dead']);
      // 'alive' keeps beating: its lease stands.
      const q = await createProfile(t.store.db, { name: `lease2-${dialect}`, rules: '' });
      await beat(t.store.db, { id: 'alive', kind: 'worker', host: 'h', pid: 1 });
      assert.equal(await acquirePollLease(t.store.db, q.id, 'alive', 10 * 60_000), true);
      assert.equal(await acquirePollLease(t.store.db, q.id, 'new', 30_000), false);
    });
  });
}
