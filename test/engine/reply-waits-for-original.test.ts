// A reply whose original another worker is processing right now waits for it (no attempt spent) instead
// of missing the item the original is making and becoming an item of its own: with groups committing
// together, that window lasts a whole group. It waits only for an original really in flight: claimed, its
// lease running, no outcome yet.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { processorFor } from '../support/processor.js';
import { countedStore, StatementCounter } from '../support/statements.js';
import { intakeMessage } from '../../src/sources/intake.js';
import type { ProcessedEvent } from '../../src/engine/process.js';
import { claimDueItems, getInboxItem, makeDueNow, recordError, releaseClaims, WAIT_FOR_ORIGINAL_MS } from '../../src/store/inbox.js';
import { createProfile } from '../../src/store/profiles.js';
import { addProject } from '../../src/tracker/builtin/admin.js';

const RULES = 'then attach to project 1 and create request in project 1\n';

for (const dialect of await dialects()) {
  describe(`a reply and its original in flight elsewhere (${dialect})`, () => {
    let t: TestStore;
    let profileId: number;
    let n = 0;
    before(async () => {
      t = await openTestStore(dialect);
      await addProject(t.store.db, { name: 'General' });
      profileId = (await createProfile(t.store.db, { name: 'support', rules: RULES })).id;
    });
    after(() => t.cleanup());

    /** An original and a reply to it by the same sender, both stored, neither processed. */
    async function pair(from?: string): Promise<{ original: number; reply: number }> {
      const id = `original-${++n}-${dialect}@customer.example`;
      const original = (await intakeMessage(t.store, makeMessage({ subject: 'Export broken', messageId: id, ...(from ? { from } : {}) }), { profileId })).item.id;
      const reply = (await intakeMessage(t.store, makeMessage({ subject: 'Re: Export broken', ...(from ? { from } : {}), headers: { 'In-Reply-To': `<${id}>`, References: `<${id}>` } }), { profileId })).item.id;
      return { original, reply };
    }

    const itemCount = async () => Number((await t.store.db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

    test('it is put off while another worker holds the original, then becomes a comment on its item', async () => {
      const { original, reply } = await pair();
      await claimDueItems(t.store, { ids: [original], limit: 1, leaseMs: 60_000, owner: 'other-worker' });
      const items = await itemCount();
      const before = Date.now();

      const events: ProcessedEvent[] = [];
      const [waiting] = await processorFor(t.store, { onProcessed: (e) => void events.push(e) }).processDue({ ids: [reply] });
      assert.equal(waiting!.outcome, null);
      assert.deepEqual(events.map((e) => [e.outcome, e.waiting]), [[null, true]], 'observed as waiting, not as a failed attempt');
      assert.equal(waiting!.waiting, true);
      assert.match(waiting!.reason!, new RegExp(`waiting for message ${original}, the one it replies to`));
      const row = (await getInboxItem(t.store.db, reply))!;
      assert.equal(row.state, 'pending');
      assert.equal(row.attempts, 0, 'no attempt spent');
      assert.equal(row.claimedBy, null);
      assert.match(row.reason!, /which is being processed right now/);
      assert.equal(row.lastError, null, 'not an error');
      const due = Date.parse(row.nextAttemptAt!);
      assert.ok(due >= before + WAIT_FOR_ORIGINAL_MS && due <= Date.now() + WAIT_FOR_ORIGINAL_MS, `due ${row.nextAttemptAt}`);
      assert.equal(await itemCount(), items, 'the reply made no item of its own');

      // The other worker goes away without processing; the original is processed, then the reply.
      await releaseClaims(t.store.db, 'other-worker');
      const [made] = await processorFor(t.store).processDue({ ids: [original] });
      assert.equal(made!.outcome, 'imported');
      assert.equal(await makeDueNow(t.store.db, reply), true);
      const [bound] = await processorFor(t.store).processDue({ ids: [reply] });
      assert.equal(bound!.outcome, 'commented');
      assert.doesNotMatch((await getInboxItem(t.store.db, reply))!.reason ?? '', /waiting/, 'the outcome\'s reason replaced it');
      const comment = await t.store.db.selectFrom('comments').select('item_id').where('id', '=', bound!.created.comments[0]!).executeTakeFirstOrThrow();
      assert.equal(Number(comment.item_id), made!.created.items[0], 'a comment on the original\'s item');
      assert.equal(await itemCount(), items + 1, 'one item: the original\'s');
    });

    test('it does not wait for an original whose holder stopped (lease run out) or that waits for a retry', async () => {
      for (const state of ['lease run out', 'pending'] as const) {
        const { original, reply } = await pair();
        if (state === 'lease run out') {
          await claimDueItems(t.store, { ids: [original], limit: 1, leaseMs: 60_000, owner: 'gone-worker' });
          await t.store.db.updateTable('inbox_items').set({ lease_until: '2000-01-01T00:00:00.000Z' }).where('id', '=', original).execute();
        } else {
          await t.store.db.updateTable('inbox_items').set({ next_attempt_at: '2999-01-01T00:00:00.000Z' }).where('id', '=', original).execute();
        }
        const [result] = await processorFor(t.store).processDue({ ids: [reply] });
        assert.equal(result!.outcome, 'imported', `${state}: decided at once, as before`);
        assert.equal(result!.waiting, undefined);
      }
    });

    test('a reply to a message that is itself put off waits too (a chain in one group)', async () => {
      const { original: root, reply: middle } = await pair();
      const middleId = (await getInboxItem(t.store.db, middle))!.messageId!;
      // Only In-Reply-To: the root is not named, the put-off middle is.
      const last = (await intakeMessage(t.store, makeMessage({ subject: 'Re: Re: Export broken', headers: { 'In-Reply-To': `<${middleId}>` } }), { profileId })).item.id;
      await claimDueItems(t.store, { ids: [root], limit: 1, leaseMs: 60_000, owner: 'other-worker' });
      const results = await processorFor(t.store).processDue({ ids: [middle, last] });
      assert.deepEqual(results.map((r) => [r.itemId, r.waiting]), [[middle, true], [last, true]]);
      assert.match(results[1]!.reason!, new RegExp(`waiting for message ${middle},`));

      await releaseClaims(t.store.db, 'other-worker');
      await processorFor(t.store).processDue({ ids: [root] });
      for (const id of [middle, last]) assert.equal(await makeDueNow(t.store.db, id), true);
      const after = await processorFor(t.store).processDue({ ids: [middle, last] });
      assert.deepEqual(after.map((r) => r.outcome), ['commented', 'commented']);
    });

    test('a put-off message left behind (its process stopped) holds no later reply back', async () => {
      const { original, reply: left } = await pair();
      await processorFor(t.store).processDue({ ids: [original] });
      // Put off once, due a while ago, and nothing took it up since.
      await t.store.db.updateTable('inbox_items')
        .set({ state: 'pending', reason: `waiting for message ${original}, the one it replies to, which is being processed right now`, next_attempt_at: new Date(Date.now() - 10 * WAIT_FOR_ORIGINAL_MS).toISOString() })
        .where('id', '=', left).execute();
      const leftId = (await getInboxItem(t.store.db, left))!.messageId!;
      const [id] = [`original-${n}-${dialect}@customer.example`];
      const later = (await intakeMessage(t.store, makeMessage({ subject: 'Re: Re: Export broken', headers: { 'In-Reply-To': `<${leftId}>`, References: `<${id}> <${leftId}>` } }), { profileId })).item.id;
      const [result] = await processorFor(t.store).processDue({ ids: [later] });
      assert.equal(result!.waiting, undefined, result!.reason ?? '');
      assert.equal(result!.outcome, 'commented', 'bound through References to the original\'s item');
    });

    test('a failed attempt after a wait: the message no longer says it is waiting', async () => {
      const { original, reply } = await pair();
      await claimDueItems(t.store, { ids: [original], limit: 1, leaseMs: 60_000, owner: 'other-worker' });
      assert.equal((await processorFor(t.store).processDue({ ids: [reply] }))[0]!.waiting, true);
      await releaseClaims(t.store.db, 'other-worker');
      const failed = await recordError(t.store.db, (await getInboxItem(t.store.db, reply))!, 'disk trouble');
      assert.deepEqual([failed.state, failed.attempts, failed.reason, failed.lastError], ['pending', 1, null, 'disk trouble']);
    });

    test('in one group, the original recorded first is the reply\'s item at once', async () => {
      const { original, reply } = await pair();
      const results = await processorFor(t.store).processDue({ ids: [original, reply] });
      assert.deepEqual(results.map((r) => [r.itemId, r.outcome]), [[original, 'imported'], [reply, 'commented']]);
    });

    // PostgreSQL only: on SQLite a group holds the one write lock, so no other worker records meanwhile.
    if (dialect === 'postgres') test('two workers: a reply taken while the group recording its original is still open waits for it', async () => {
      // A sender known already, so that the original's work ends no transaction early (endsTransaction).
      const known = 'known@customer.example';
      await processorFor(t.store).processDue({ ids: [(await intakeMessage(t.store, makeMessage({ from: known, subject: 'Earlier' }), { profileId })).item.id] });
      const { original, reply } = await pair(known);
      const next = (await intakeMessage(t.store, makeMessage({ from: known, subject: 'Unrelated' }), { profileId })).item.id;
      // Worker A stops at the second message's savepoint: the original is recorded, not yet committed.
      let savepoints = 0;
      let reached!: () => void;
      const stopped = new Promise<void>((resolve) => (reached = resolve));
      let resume!: () => void;
      const resumed = new Promise<void>((resolve) => (resume = resolve));
      const counter = new StatementCounter(async (name) => {
        if (name === 'raw savepoint part' && ++savepoints === 2) {
          reached();
          await resumed;
        }
      });
      const a = processorFor(countedStore(t.store, counter), { owner: 'worker-a' }).processDue({ ids: [original, next] });
      await stopped;
      const [waiting] = await processorFor(t.store, { owner: 'worker-b' }).processDue({ ids: [reply] });
      resume();
      assert.deepEqual((await a).map((r) => r.outcome), ['imported', 'imported']);
      assert.equal(waiting!.waiting, true, `not decided while the original was uncommitted (${waiting!.outcome}: ${waiting!.reason})`);
      assert.equal(await makeDueNow(t.store.db, reply), true);
      const [bound] = await processorFor(t.store, { owner: 'worker-b' }).processDue({ ids: [reply] });
      assert.equal(bound!.outcome, 'commented');
    });
  });
}
