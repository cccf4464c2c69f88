// The per-sender rate limit end to end on SQLite and PostgreSQL (issue 12, loop defence): the 21st
// message from one sender in an hour is ignored as rate limited and creates nothing, another sender is
// not held, the limit is the profile's own (0 turns it off), the alert goes out once per sender, and
// the metric counts what was held.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AlertMonitor, type Alert } from '../../src/app/alerts.js';
import { assemble, type App } from '../../src/app/app.js';
import { metricsFor } from '../../src/app/metrics.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { retryMessage } from '../../src/app/messages.js';
import { addProject } from '../../src/app/tracker.js';
import type { Processor, ProcessResult } from '../../src/engine/process.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { getInboxItem } from '../../src/store/inbox.js';
import { listTracker } from '../../src/tracker/builtin/index.js';
import { memoryLog } from '../support/memory-log.js';
import { makeMessage } from '../support/messages.js';
import { parseMetrics, sampleValue } from '../support/prometheus.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';
import { waitFor } from '../support/wait.js';

const RULES = { text: 'then attach to project 1 and create request in project 1', label: 'rules' };

for (const dialect of await dialects()) {
  describe(`per-sender rate limit (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    let processor: Processor;
    let receiver: Receiver;

    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store, { messageIdDomain: 'mailbind.test' });
      await addProject(app, { name: 'General' }, cliPrincipal('test'));
      processor = await app.processor();
      receiver = await startReceiver();
    });
    after(async () => {
      await receiver?.close();
      await t.cleanup();
    });

    async function profile(rateLimitPerSenderHour?: number): Promise<{ id: number; name: string }> {
      const name = `p-${randomBytes(3).toString('hex')}`;
      const threading = rateLimitPerSenderHour === undefined ? {} : { rateLimitPerSenderHour };
      const { profile } = await createProfile(app, { name, rules: RULES, threading }, cliPrincipal('test'));
      return { id: profile.id, name: profile.name };
    }

    async function send(profileId: number, from: string, n = 1): Promise<ProcessResult[]> {
      const results: ProcessResult[] = [];
      for (let i = 0; i < n; i++) {
        const { item } = await intakeMessage(t.store, makeMessage({ from, subject: `Message ${i + 1}`, body: `Number ${i + 1}`, date: new Date().toUTCString() }), { profileId });
        const [result] = await processor.processDue({ ids: [item.id] });
        results.push(result!);
      }
      return results;
    }

    const requestersOf = async (email: string) => (await listTracker(t.store.db, 'requesters')).filter((r) => r.email === email);

    test('the 21st message from one sender in an hour is ignored as rate limited; another sender is not held', async () => {
      const p = await profile();
      const first = await send(p.id, 'Loop <loop@robot.example>', 20);
      assert.deepEqual(first.map((r) => r.outcome), Array(20).fill('imported'));
      const [held] = await send(p.id, 'Loop <loop@robot.example>');
      assert.equal(held!.outcome, 'ignored');
      assert.equal(held!.reason, 'rate limited: 21st message from loop@robot.example in an hour (limit 20 per hour for this profile)');
      assert.deepEqual(held!.created.requests, []);
      assert.deepEqual(held!.actions, []);
      const stored = await getInboxItem(t.store.db, held!.itemId);
      assert.deepEqual((stored!.trace as { rateLimit?: unknown }).rateLimit, { limit: 20, reached: 20, held: 0 });
      assert.equal(stored!.ruleLine, null);
      // The next one counts the held one in its number, not towards the limit.
      const [next] = await send(p.id, 'loop@ROBOT.example');
      assert.equal(next!.reason, 'rate limited: 22nd message from loop@robot.example in an hour (limit 20 per hour for this profile)');

      const [other] = await send(p.id, 'Ann <ann@acme.example>');
      assert.equal(other!.outcome, 'imported');
      assert.equal((await requestersOf('loop@robot.example')).length, 1, 'the requester was made once, by the first message');
    });

    test('mail held earlier than an hour before a message does not count', async () => {
      const p = await profile(2);
      const [a, b] = await send(p.id, 'old@robot.example', 2);
      // Move both an hour and a second back: they arrived outside the window of the next one.
      const past = new Date(Date.now() - 3_601_000).toISOString();
      await t.store.db.updateTable('inbox_items').set({ received_at: past }).where('id', 'in', [a!.itemId, b!.itemId]).execute();
      const [third] = await send(p.id, 'old@robot.example');
      assert.equal(third!.outcome, 'imported');
    });

    test('mail written over an hour ago (an archive, a backlog) is never held: a loop writes its mail now', async () => {
      const p = await profile(2);
      const results: ProcessResult[] = [];
      for (let i = 0; i < 4; i++) {
        const old = makeMessage({ from: 'archive@acme.example', subject: `Old ${i}`, date: 'Tue, 24 Nov 2026 10:00:00 +0000' });
        const { item } = await intakeMessage(t.store, old, { profileId: p.id });
        results.push((await processor.processDue({ ids: [item.id] }))[0]!);
      }
      assert.deepEqual(results.map((r) => r.outcome), ['imported', 'imported', 'imported', 'imported']);
    });

    test('a held message retried once the flood is over goes through', async () => {
      const p = await profile(1);
      const [first, held] = await send(p.id, 'burst@robot.example', 2);
      assert.equal(held!.outcome, 'ignored');
      // The first one arrived over an hour ago now: the hour before the retry holds nothing.
      const past = new Date(Date.now() - 3_601_000).toISOString();
      await t.store.db.updateTable('inbox_items').set({ received_at: past }).where('id', 'in', [first!.itemId, held!.itemId]).execute();
      const retried = await retryMessage(app, held!.itemId);
      assert.equal(retried.outcome, 'imported');
    });

    test('the limit is the profile’s own, and 0 turns it off', async () => {
      const three = await profile(3);
      const results = await send(three.id, 'chatty@acme.example', 4);
      assert.deepEqual(results.map((r) => r.outcome), ['imported', 'imported', 'imported', 'ignored']);
      assert.equal(results[3]!.reason, 'rate limited: 4th message from chatty@acme.example in an hour (limit 3 per hour for this profile)');
      // The same sender in another profile starts from nothing.
      const other = await profile(3);
      assert.equal((await send(other.id, 'chatty@acme.example'))[0]!.outcome, 'imported');

      const off = await profile(0);
      const all = await send(off.id, 'flood@robot.example', 25);
      assert.deepEqual(all.map((r) => r.outcome), Array(25).fill('imported'));
    });

    test('automatic mail is ignored as what it is, and does not count towards the limit', async () => {
      const p = await profile(1);
      const { item } = await intakeMessage(t.store, makeMessage({ from: 'ooo@acme.example', headers: { 'Auto-Submitted': 'auto-replied' } }), { profileId: p.id });
      const [auto] = await processor.processDue({ ids: [item.id] });
      assert.match(auto!.reason ?? '', /^auto-reply: /);
      assert.equal((await send(p.id, 'ooo@acme.example'))[0]!.outcome, 'imported');
      const [held] = await send(p.id, 'ooo@acme.example');
      assert.match(held!.reason ?? '', /^rate limited: /);
    });

    test('one alert per held sender, however many messages are held; the metric counts each held message', async () => {
      const p = await profile(1);
      const metrics = metricsFor(app);
      const before = sampleValue(parseMetrics(await metrics.render()), 'mailbind_messages_rate_limited_total', { profile_id: String(p.id) }) ?? 0;
      await send(p.id, 'loop@alerts.example', 4);
      await send(p.id, 'other@alerts.example', 1);
      const monitor = new AlertMonitor(app, memoryLog().logger, { webhook: receiver.url });
      const held = () => receiver.delivered().map((r) => r.body as Alert).filter((a) => a.event === 'sender.rate-limited' && a.profile?.id === p.id);
      try {
        await monitor.check();
        await monitor.check();
        await send(p.id, 'loop@alerts.example', 1);
        await monitor.check();
        const [alert] = await waitFor(() => held().length > 0 && held(), { what: 'the rate-limit alert' });
        assert.deepEqual(alert!.profile, p);
        assert.equal(alert!.details.sender, 'loop@alerts.example');
        assert.equal(alert!.details.held, 3);
        assert.equal(alert!.details.limit, 1);
        assert.match(alert!.reason, /^loop@alerts\.example sent more mail than the profile takes from one sender in an hour \(1\): 3 message\(s\) held/);
      } finally {
        await monitor.stop();
      }
      // Stopping waits for queued alerts: what was sent is all there is.
      assert.equal(held().length, 1, JSON.stringify(held()));
      const after = sampleValue(parseMetrics(await metrics.render()), 'mailbind_messages_rate_limited_total', { profile_id: String(p.id) });
      assert.equal(after! - before, 4);
    });
  });
}
