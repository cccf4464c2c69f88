// Alerts to a webhook, received by a real local HTTP server: a profile starts failing (N failed polls
// in a row, or no success for a while) and recovers, the backlog stalls and moves again, each sent once
// per transition; a failing webhook is retried with backoff and never holds up a check or processing;
// what is logged about the webhook names neither its credentials nor its query.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertMonitor, alertOptionsFromEnv, type Alert } from '../../src/app/alerts.js';
import { assemble, type App } from '../../src/app/app.js';
import { AppError } from '../../src/app/errors.js';
import { importPaths, type ImportLine } from '../../src/app/import.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { addProject } from '../../src/app/tracker.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { recordPollFailure, recordPollSuccess } from '../../src/sources/status.js';
import { memoryLog } from '../support/memory-log.js';
import { makeMessage } from '../support/messages.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { waitFor } from '../support/wait.js';

const RULES = { text: 'then attach to project 1 and create request in project 1', label: 'rules' };
const MINUTE = 60_000;
const later = () => new Date(Date.now() + MINUTE).toISOString();

for (const dialect of await dialects()) {
  describe(`alerts (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    let receiver: Receiver;

    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store, { messageIdDomain: 'mailbind.test' });
      await addProject(app, { name: 'General' }, cliPrincipal('test'));
    });
    after(async () => {
      await receiver?.close();
      await t.cleanup();
    });

    /** A profile with a mailbox (only those are polled, and so can fail). */
    async function mailboxProfile(name: string): Promise<{ id: number; name: string }> {
      const source = { protocol: 'imap' as const, host: 'mail.example', login: 'alice', password: 'pw' };
      const { profile } = await createProfile(app, { name, rules: RULES, source }, cliPrincipal('test'));
      // Healthy to begin with: a success now.
      await recordPollSuccess(t.store.db, profile.id, later());
      return { id: profile.id, name: profile.name };
    }

    const about = (name: string) => receiver.delivered().map((r) => r.body as Alert).filter((a) => a.profile?.name === name);
    const events = (name: string) => about(name).map((a) => a.event);

    test('N failed polls send one profile.failing; a success sends profile.recovered; nothing is sent twice', async () => {
      receiver = await startReceiver();
      const profile = await mailboxProfile('flaky');
      let clock = Date.now();
      const monitor = new AlertMonitor(app, memoryLog().logger, { webhook: receiver.url, failures: 3, silenceMs: 60 * MINUTE, now: () => clock });
      const fail = () => recordPollFailure(t.store.db, profile.id, 'connection refused', later());
      try {
        await monitor.check();
        await fail();
        await fail();
        await monitor.check();
        await fail();
        await monitor.check();
        const [failing] = await waitFor(() => about('flaky').length === 1 && about('flaky'), { what: 'the failing alert' });
        assert.deepEqual(failing, {
          event: 'profile.failing',
          profile,
          reason: '3 polls in a row failed: connection refused',
          at: new Date(clock).toISOString(),
          details: failing!.details,
        });
        assert.equal(failing!.details.consecutiveFailures, 3);
        assert.equal(failing!.details.lastError, 'connection refused');
        // Still failing at the next checks: nothing new. (Alerts go out in order, so a second
        // "failing" would arrive before the "recovered" waited for below.)
        await fail();
        await monitor.check();
        await monitor.check();
        await recordPollSuccess(t.store.db, profile.id, later());
        await monitor.check();
        await monitor.check();
        await waitFor(() => about('flaky').length >= 2, { what: 'the recovered alert' });
        // Silent for longer than allowed (the clock moves on, no poll succeeds): failing again, once.
        clock += 61 * MINUTE;
        await monitor.check();
        await monitor.check();
        const silent = await waitFor(() => about('flaky')[2], { what: 'the silence alert' });
        assert.equal(silent.event, 'profile.failing');
        assert.match(silent.reason, /^no successful poll for 6[01] minutes$/);
        clock = Date.now();
        await recordPollSuccess(t.store.db, profile.id, later());
        await monitor.check();
        await waitFor(() => about('flaky').length >= 4, { what: 'the second recovered alert' });
        assert.deepEqual(events('flaky'), ['profile.failing', 'profile.recovered', 'profile.failing', 'profile.recovered']);
        assert.equal(about('flaky')[1]!.reason, 'the mailbox is polled successfully again');
      } finally {
        await monitor.stop();
      }
      assert.deepEqual(events('flaky'), ['profile.failing', 'profile.recovered', 'profile.failing', 'profile.recovered'], 'nothing more on stopping');
    });

    test('500 twice then 200: the alert is delivered exactly once, after retries; checks and processing do not wait for it', async () => {
      const profile = await mailboxProfile('down');
      const log = memoryLog();
      const monitor = new AlertMonitor(app, log.logger, { webhook: receiver.url, failures: 1, retryMs: 20 });
      let release!: (status: number) => void;
      const held = new Promise<number>((resolve) => (release = resolve));
      const before = receiver.requests.length;
      receiver.answers.push(held, 500, 200);
      try {
        await recordPollFailure(t.store.db, profile.id, 'timed out', later());
        await monitor.check();
        // The first attempt is held open by the receiver: the check is done all the same, and mail is
        // stored and processed meanwhile.
        await waitFor(() => receiver.requests.length === before + 1, { what: 'the first attempt to reach the webhook' });
        const files = mkdtempSync(join(tmpdir(), 'mailbind-alerts-'));
        try {
          writeFileSync(join(files, 'a.eml'), makeMessage({ subject: 'meanwhile' }));
          const lines: ImportLine[] = [];
          for await (const line of importPaths(app, 'down', [files])) lines.push(line);
          assert.deepEqual(lines.map((l) => l.outcome), ['imported']);
        } finally {
          rmSync(files, { recursive: true, force: true });
        }
        assert.equal(receiver.requests.length, before + 1, 'still the one attempt, held open');
        release(500);
        const delivered = await waitFor(() => about('down').length === 1 && about('down'), { what: 'the alert to be delivered' });
        const attempts = receiver.requests.slice(before);
        assert.deepEqual(attempts.map((r) => r.status), [500, 500, 200]);
        assert.ok(attempts.every((r) => JSON.stringify(r.body) === JSON.stringify(delivered[0])), 'the same alert each time');
        assert.equal(delivered[0]!.event, 'profile.failing');
        assert.equal(log.find('alert not delivered: the webhook kept failing').length, 0);
      } finally {
        await monitor.stop();
        await recordPollSuccess(t.store.db, profile.id, later());
      }
      assert.equal(about('down').length, 1, 'delivered once');
    });

    test('a webhook that keeps failing: one warning per alert, naming neither its credentials nor its query', async () => {
      const profile = await mailboxProfile('broken');
      const log = memoryLog();
      const url = new URL(receiver.url);
      url.username = 'hookuser';
      url.password = 'Sup3rSecret';
      url.search = '?token=T0kenValue';
      const monitor = new AlertMonitor(app, log.logger, { webhook: url.href, failures: 1, tries: 3, retryMs: 10 });
      const before = receiver.requests.length;
      receiver.answers.push(503, 503, 503);
      try {
        await recordPollFailure(t.store.db, profile.id, 'refused', later());
        await monitor.check();
        const [warning] = await waitFor(() => log.find('alert not delivered: the webhook kept failing', 40).length === 1 && log.find('alert not delivered: the webhook kept failing', 40), {
          what: 'the warning',
        });
        assert.deepEqual([warning!.webhook, warning!.what, warning!.tries, warning!.err], [url.origin, 'profile.failing', 3, 'the webhook answered 503']);
        const attempts = receiver.requests.slice(before);
        assert.equal(attempts.length, 3, 'bounded: three tries');
        // The credentials travel as Basic authorization (fetch refuses them in the URL), the query as is.
        assert.equal(attempts[0]!.headers.authorization, `Basic ${Buffer.from('hookuser:Sup3rSecret').toString('base64')}`);
        assert.equal(attempts[0]!.url, '/hook?token=T0kenValue');
        const logged = JSON.stringify(log.records);
        for (const secret of ['Sup3rSecret', 'T0kenValue', 'hookuser']) assert.ok(!logged.includes(secret), `the log holds ${secret}`);
      } finally {
        await monitor.stop();
        await recordPollSuccess(t.store.db, profile.id, later());
      }
    });

    test('a working poll that leaves messages it cannot download sends one download.failing naming the first; the poll that downloads them all sends download.recovered', async () => {
      const profile = await mailboxProfile('unreadable');
      const monitor = new AlertMonitor(app, memoryLog().logger, { webhook: receiver.url, failures: 3 });
      const refused = [
        { key: 'INBOX:7:12', error: 'the server did not send message UID 12: NO [SERVERBUG] Internal error' },
        { key: 'INBOX:7:15', error: 'the server did not send message UID 15: NO [SERVERBUG] Internal error' },
      ];
      try {
        await monitor.check();
        await recordPollSuccess(t.store.db, profile.id, later(), refused);
        await monitor.check();
        // Still the same two, then one more: in the same state, nothing new.
        await recordPollSuccess(t.store.db, profile.id, later(), refused);
        await monitor.check();
        await recordPollSuccess(t.store.db, profile.id, later(), [...refused, { key: 'INBOX:7:16', error: 'refused' }]);
        await monitor.check();
        // A poll stopped before it looked at them all (no list) leaves the state as it was.
        await recordPollSuccess(t.store.db, profile.id, later());
        await monitor.check();
        await recordPollSuccess(t.store.db, profile.id, later(), []);
        await monitor.check();
        await monitor.check();
        const [failing, recovered] = await waitFor(() => about('unreadable').length >= 2 && about('unreadable'), { what: 'the download alerts' });
        assert.equal(failing!.event, 'download.failing');
        assert.deepEqual(failing!.profile, profile);
        assert.equal(failing!.reason, '2 message(s) on the server could not be downloaded; each stays there and is tried again every poll (INBOX:7:12: the server did not send message UID 12: NO [SERVERBUG] Internal error)');
        assert.deepEqual(failing!.details.notDownloaded, 2);
        assert.equal((failing!.details.first as { key: string }).key, 'INBOX:7:12');
        assert.equal(recovered!.event, 'download.recovered');
        assert.equal(recovered!.reason, 'no message is listed as not downloaded any more');
      } finally {
        await monitor.stop();
      }
      // The poll itself never failed: no profile.failing; and nothing was sent twice.
      assert.deepEqual(events('unreadable'), ['download.failing', 'download.recovered']);
    });

    test('a status row whose download failures do not read counts as none: the check still says what else it sees', async () => {
      const profile = await mailboxProfile('garbled');
      const monitor = new AlertMonitor(app, memoryLog().logger, { webhook: receiver.url, failures: 1 });
      try {
        await recordPollFailure(t.store.db, profile.id, 'connection refused', later());
        await t.store.db.updateTable('profile_status').set({ download_failures: '{"total": 2, "first": [' }).where('profile_id', '=', profile.id).execute();
        await monitor.check();
        await waitFor(() => about('garbled').length === 1, { what: 'the failing alert' });
        await t.store.db.updateTable('profile_status').set({ download_failures: '{"total": 1, "first": "not a list"}' }).where('profile_id', '=', profile.id).execute();
        await monitor.check();
      } finally {
        await monitor.stop();
      }
      // A count without a listed first is still announced, without naming one.
      assert.deepEqual(events('garbled'), ['profile.failing', 'download.failing']);
      assert.equal(about('garbled')[1]!.reason, '1 message(s) on the server could not be downloaded; each stays there and is tried again every poll');
    });

    test('the backlog stalls when due messages wait and none gets an outcome for the stall time, and moves again', async () => {
      const log = memoryLog();
      const stallMs = 300;
      const monitor = new AlertMonitor(app, log.logger, { webhook: receiver.url, stallMs });
      const backlog = () => receiver.delivered().map((r) => r.body as Alert).filter((a) => a.event.startsWith('backlog.'));
      const profile = (await createProfile(app, { name: 'queue', rules: RULES }, cliPrincipal('test'))).profile;
      try {
        const stored = Date.now();
        const a = (await intakeMessage(t.store, makeMessage({ subject: 'first' }), { profileId: profile.id })).item;
        // Just arrived: not stalled, although nothing was processed for longer than the stall time.
        await monitor.check();
        const stalled = await waitFor(async () => (await monitor.check(), backlog()[0]), { what: 'the stalled alert' });
        assert.equal(stalled.event, 'backlog.stalled');
        assert.equal(stalled.profile, undefined, 'processing is shared by all profiles');
        assert.ok(Date.parse(stalled.at) - stored >= stallMs, 'not before the message waited the stall time');
        assert.deepEqual(stalled.details.overdue, 1);
        // Another message comes in and the first gets its outcome: the backlog moves.
        await intakeMessage(t.store, makeMessage({ subject: 'second' }), { profileId: profile.id });
        const processor = await app.processor();
        await processor.processDue({ ids: [a.id] });
        await monitor.check();
        await monitor.check();
        const moving = await waitFor(() => backlog()[1], { what: 'the moving alert' });
        assert.equal(moving.event, 'backlog.moving');
        // Nothing more is processed: once the stall time has passed it stalls again (the second message), once.
        const again = await waitFor(async () => (await monitor.check(), backlog()[2]), { what: 'the second stalled alert' });
        assert.equal(again.details.overdue, 1);
        await processor.processDue({ profileId: profile.id });
        await monitor.check();
        await waitFor(() => backlog()[3], { what: 'the second moving alert' });
        assert.deepEqual(backlog().map((b) => b.event), ['backlog.stalled', 'backlog.moving', 'backlog.stalled', 'backlog.moving']);
      } finally {
        await monitor.stop();
      }
    });
  });
}

describe('alert settings from the environment', () => {
  test('no webhook: no alerts; numbers in minutes become milliseconds', () => {
    assert.equal(alertOptionsFromEnv({}), null);
    assert.deepEqual(alertOptionsFromEnv({ MAILBIND_ALERT_WEBHOOK: 'https://hooks.example/x' }), { webhook: 'https://hooks.example/x' });
    assert.deepEqual(
      alertOptionsFromEnv({
        MAILBIND_ALERT_WEBHOOK: 'https://hooks.example/x',
        MAILBIND_ALERT_FAILURES: '5',
        MAILBIND_ALERT_SILENCE_MINUTES: '90',
        MAILBIND_ALERT_STALL_MINUTES: '0.5',
        MAILBIND_ALERT_CHECK_SECONDS: '30',
      }),
      { webhook: 'https://hooks.example/x', failures: 5, silenceMs: 90 * MINUTE, stallMs: 30_000, checkEveryMs: 30_000 },
    );
  });

  test('wrong values are refused, each named, without repeating the webhook', () => {
    const env = {
      MAILBIND_ALERT_WEBHOOK: 'ftp://user:Secr3t@hooks.example/x',
      MAILBIND_ALERT_FAILURES: '2.5',
      MAILBIND_ALERT_STALL_MINUTES: 'soon',
    };
    const error = (() => {
      try {
        alertOptionsFromEnv(env);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(error instanceof AppError && error.category === 'user');
    assert.deepEqual(error.details.fields?.map((f) => f.field), ['MAILBIND_ALERT_WEBHOOK', 'MAILBIND_ALERT_FAILURES', 'MAILBIND_ALERT_STALL_MINUTES']);
    assert.ok(!JSON.stringify({ message: error.message, details: error.details }).includes('Secr3t'));
  });
});
