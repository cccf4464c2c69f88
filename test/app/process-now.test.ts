// Commands that process a message and report its outcome (here `deliver` with no service running) try a
// reply put off for its original again once it is due, so the reply is reported where it went — a
// comment on the original's item — instead of left pending for a service that is not there, and they say
// that they wait (onWait). With a service running they do not wait: it takes the reply when due.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as tick } from 'node:timers/promises';
import { assemble, type App } from '../../src/app/app.js';
import { deliverMessage } from '../../src/app/deliver.js';
import { retryMessage } from '../../src/app/messages.js';
import type { WaitNotice } from '../../src/app/process-now.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { CLAIM_LEASE_MS, claimDueItems, getInboxItem, releaseClaims } from '../../src/store/inbox.js';
import { createProfile } from '../../src/store/profiles.js';
import { registerService, unregisterService } from '../../src/store/services.js';
import { addProject } from '../../src/tracker/builtin/admin.js';
import { makeMessage } from '../support/messages.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

for (const dialect of await dialects()) {
  describe(`processing now, for a command (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store);
      await addProject(t.store.db, { name: 'General' });
      await createProfile(t.store.db, { name: 'support', rules: 'then attach to project 1 and create request in project 1\n' });
    });
    after(() => t.cleanup());

    test('retry: a message kept as headers only (too large) is refused, saying why and what to do instead', async () => {
      const profile = Number((await t.store.db.selectFrom('profiles').select('id').where('name', '=', 'support').executeTakeFirstOrThrow()).id);
      const big = makeMessage({ subject: 'Huge scan', body: 'z'.repeat(8192) });
      const { item } = await intakeMessage(t.store, big, { profileId: profile, maxMessageBytes: 4096 });
      assert.equal(item.outcome, 'ignored');
      await assert.rejects(retryMessage(app, item.id), (error: Error) => {
        // Never the promise that it is taken again: nothing would take it (its key and the cursor are past it).
        assert.match(error.message, /stored as headers only \(too large: \d+ bytes, the limit is 4096\): its body was never taken/);
        assert.match(error.message, /mailbind import --profile NAME FILE/);
        assert.doesNotMatch(error.message, /taken again/);
        return true;
      });
    });

    test('deliver: a reply put off while another process holds its original ends as a comment on its item', async () => {
      const profile = (await t.store.db.selectFrom('profiles').select('id').where('name', '=', 'support').executeTakeFirstOrThrow()).id;
      const id = `deliver-original-${dialect}@customer.example`;
      const original = (await intakeMessage(t.store, makeMessage({ subject: 'Invoice missing', messageId: id }), { profileId: Number(profile) })).item.id;
      // Another process (a concurrent deliver) has claimed the original and not recorded it yet.
      const [held] = await claimDueItems(t.store, { ids: [original], limit: 1, leaseMs: 60_000, owner: 'other-deliver' });

      const notices: WaitNotice[] = [];
      const delivering = deliverMessage(app, 'support', makeMessage({ subject: 'Re: Invoice missing', headers: { 'In-Reply-To': `<${id}>` } }),
        { onWait: (notice) => void notices.push(notice) });
      // Until the reply has been put off (the reason says so), then the other process records the original.
      for (;;) {
        const waiting = await t.store.db.selectFrom('inbox_items').select('id').where('reason', 'like', 'waiting for message%').where('outcome', 'is', null).executeTakeFirst();
        if (waiting) break;
        await tick(10);
      }
      // It records the original under its own claim, so the original is in flight until that commits: a
      // retry of the reply that comes due meanwhile (a slow machine) is put off again, never decided early.
      const made = await (await app.processor()).processItem(held!);
      assert.equal(made.outcome, 'imported');

      const result = await delivering;
      if (result.status !== 'processed') assert.fail(`delivered, not processed: ${JSON.stringify(result)}`);
      assert.equal(result.message.outcome, 'commented', JSON.stringify(result.message));
      const reply = (await getInboxItem(t.store.db, result.message.itemId))!;
      assert.equal(reply.attempts, 0);
      // The command said, once, which message it waited for and why, before waiting.
      assert.equal(notices.length, 1, JSON.stringify(notices));
      assert.equal(notices[0]!.itemId, reply.id);
      assert.match(notices[0]!.reason, new RegExp(`^waiting for message ${original}, the one it replies to`));
      assert.ok(notices[0]!.upToMs > 0 && notices[0]!.upToMs <= CLAIM_LEASE_MS, `up to ${notices[0]!.upToMs} ms`);
    });

    test('messages retry with a service running: no waiting here, the service takes the reply when due', async () => {
      const profile = Number((await t.store.db.selectFrom('profiles').select('id').where('name', '=', 'support').executeTakeFirstOrThrow()).id);
      const id = `retry-original-${dialect}@customer.example`;
      const original = (await intakeMessage(t.store, makeMessage({ subject: 'Password reset', messageId: id }), { profileId: profile })).item.id;
      const reply = (await intakeMessage(t.store, makeMessage({ subject: 'Re: Password reset', headers: { 'In-Reply-To': `<${id}>` } }), { profileId: profile })).item.id;
      await claimDueItems(t.store, { ids: [original], limit: 1, leaseMs: 60_000, owner: 'the-service' });
      await registerService(t.store.db, { id: 'the-service', kind: 'worker', host: 'h', pid: 1 });
      const attempts: number[] = [];
      const stop = app.onProcessed((e) => void (e.itemId === reply && attempts.push(e.itemId)));
      try {
        const notices: WaitNotice[] = [];
        const result = await retryMessage(app, reply, { onWait: (notice) => void notices.push(notice) });
        assert.deepEqual(notices, [], 'it does not wait, so it does not say it waits');
        assert.equal(result.outcome, 'pending');
        assert.match(result.reason ?? '', new RegExp(`waiting for message ${original}, the one it replies to`));
        assert.equal(attempts.length, 1, 'tried once, not again and again');
      } finally {
        stop();
        await unregisterService(t.store.db, 'the-service');
        await releaseClaims(t.store.db, 'the-service');
      }
    });
  });
}
