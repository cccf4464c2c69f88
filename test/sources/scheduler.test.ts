// The scheduler against real Dovecot: one profile's server stalls (through a proxy) while another
// profile keeps flowing; the stalled one times out and is marked. Plus the poll lease on both
// databases, and the backoff arithmetic.
import { describe, test, before, after } from 'node:test';
import { processorFor } from '../support/processor.js';
import assert from 'node:assert/strict';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { startProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { memoryLog } from '../support/memory-log.js';
import { waitFor } from '../support/wait.js';
import { Scheduler, nextDelayMs } from '../../src/sources/scheduler.js';
import { defaultSources } from '../../src/sources/registry.js';
import { settingsToStore } from '../../src/sources/profile-settings.js';
import { acquirePollLease, getStatus, releasePollLease } from '../../src/sources/status.js';
import { SecretBox } from '../../src/store/secrets.js';
import { createProfile } from '../../src/store/profiles.js';
import { listInboxItems } from '../../src/store/inbox.js';
import { addProject } from '../../src/tracker/builtin/admin.js';
import { sql } from 'kysely';

test('backoff: jitter within ±10 % when healthy, doubling after failures, capped at 30 min', () => {
  assert.equal(nextDelayMs(60, 0, 0), 54_000);
  assert.equal(nextDelayMs(60, 0, 1), 66_000);
  assert.equal(nextDelayMs(60, 1), 60_000);
  assert.equal(nextDelayMs(60, 3), 240_000);
  assert.equal(nextDelayMs(60, 40), 30 * 60_000);
});

for (const dialect of await dialects()) {
  test(`poll lease on ${dialect}: one owner at a time, free again once released or expired`, async () => {
    const t = await openTestStore(dialect);
    try {
      const p = await createProfile(t.store.db, { name: 'lease', rules: '' });
      assert.equal(await acquirePollLease(t.store.db, p.id, 'a', 60_000), true);
      assert.equal(await acquirePollLease(t.store.db, p.id, 'b', 60_000), false);
      assert.equal(await acquirePollLease(t.store.db, p.id, 'a', 60_000), true, 'the owner renews');
      await releasePollLease(t.store.db, p.id, 'a');
      assert.equal(await acquirePollLease(t.store.db, p.id, 'b', -1), true);
      assert.equal(await acquirePollLease(t.store.db, p.id, 'a', 60_000), true, 'an expired lease is free');
    } finally {
      await t.cleanup();
    }
  });
}

const skip = dovecotSkip();

describe('scheduler when the database fails', { skip }, () => {
  test('a database error in a cycle is survived; polling resumes once the database is back', async () => {
    const dc = await startDovecot();
    const t = await openTestStore('sqlite');
    try {
      const secrets = SecretBox.forDataDir(t.dataDir);
      const profile = await createProfile(t.store.db, {
        name: 'db-trouble', rules: '',
        source: settingsToStore({ protocol: 'pop3', host: '127.0.0.1', port: dc.ports.pop3, tls: 'none', login: 'alice', password: 'alicepw', pollSeconds: 5 }, secrets),
      });
      const log = memoryLog();
      let successes = 0;
      const scheduler = new Scheduler({
        store: t.store, secrets, sources: defaultSources, logger: log.logger,
        onPoll: (_p, outcome) => void (outcome.report && successes++),
      });
      await scheduler.start();
      try {
        await waitFor(() => successes > 0, { what: 'the first poll to succeed' });
        const before = successes;
        // Every cycle starts with the poll lease in profile_status: without the table the cycle fails.
        await sql`alter table profile_status rename to profile_status_away`.execute(t.store.db);
        scheduler.trigger(profile.id);
        const [failure] = await waitFor(() => {
          const failed = log.find('scheduling failed; retrying', 50);
          return failed.length > 0 && failed;
        }, { what: 'the cycle to fail on the missing table (an error log "scheduling failed; retrying")' });
        assert.equal(failure!.profile, 'db-trouble');
        assert.match(String(failure!.err), /no such table: profile_status/);
        assert.equal(successes, before, 'no poll succeeded while the table was gone');
        await sql`alter table profile_status_away rename to profile_status`.execute(t.store.db);
        // Cut the retry wait short (it would also resume by itself, after 2 s).
        scheduler.trigger(profile.id);
        await waitFor(() => successes > before, { what: 'a successful poll once the table is back', timeoutMs: 15_000 });
        const status = await getStatus(t.store.db, profile.id);
        assert.equal(status.consecutiveFailures, 0);
        assert.equal(status.lastError, null, 'the database failure is not blamed on the mailbox');
      } finally {
        await scheduler.stop();
      }
    } finally {
      await t.cleanup();
      await dc.stop();
    }
  });
});

describe('scheduler with a stalled mailbox', { skip }, () => {
  let dc: Dovecot;
  let t: TestStore;
  let proxy: TcpProxy;

  before(async () => {
    dc = await startDovecot();
    t = await openTestStore('sqlite');
    proxy = await startProxy({ targetPort: dc.ports.pop3 });
    await addProject(t.store.db, { name: 'General' });
  });
  after(async () => {
    await proxy?.close();
    await t?.cleanup();
    await dc?.stop();
  });

  test('a hung server never delays another profile; it times out and is marked', async () => {
    const secrets = SecretBox.forDataDir(t.dataDir);
    const rules = 'then attach to project 1 and create request in project 1';
    const common = { protocol: 'pop3', host: '127.0.0.1', tls: 'none', pollSeconds: 5, firstRun: 'all' } as const;
    const stuck = await createProfile(t.store.db, {
      name: 'stuck', rules, source: settingsToStore({ ...common, port: proxy.port, login: 'alice', password: 'alicepw' }, secrets),
    });
    const healthy = await createProfile(t.store.db, {
      name: 'healthy', rules, source: settingsToStore({ ...common, port: dc.ports.pop3, login: 'bob', password: 'bobpw' }, secrets),
    });
    proxy.stall();
    await dc.deliver('bob', makeMessage({ subject: 'keeps flowing' }));
    const processor = processorFor(t.store);
    const scheduler = new Scheduler({
      store: t.store,
      secrets,
      sources: defaultSources,
      extras: { timeoutMs: 1500 },
      afterIntake: async (profile) => void (await processor.processDue({ profileId: profile.id })),
    });
    await scheduler.start();
    try {
      // The item is stored first and gets its outcome a moment later (afterIntake): wait for the outcome.
      const items = await waitFor(async () => {
        const listed = await listInboxItems(t.store.db, { profileId: healthy.id });
        return listed.length > 0 && listed.every((i) => i.outcome !== null) && listed;
      }, { what: 'the healthy profile\'s mail to be processed to an outcome' });
      assert.deepEqual(items.map((i) => [i.subject, i.outcome]), [['keeps flowing', 'imported']]);
      const status = await waitFor(async () => {
        const current = await getStatus(t.store.db, stuck.id);
        return current.lastError !== null && current;
      }, { what: 'the stuck profile\'s poll to fail' });
      assert.match(status.lastError ?? '', /no response from the server within 1500 ms/);
      assert.equal(status.consecutiveFailures, 1);
      assert.equal(status.lastSuccessAt, null);
    } finally {
      await scheduler.stop();
    }
  });
});

test('a stop that comes while a cycle reads the database does not wait out the poll interval', async () => {
  const t = await openTestStore('sqlite');
  try {
    const secrets = SecretBox.forDataDir(t.dataDir);
    const profile = await createProfile(t.store.db, {
      name: 'stop-early', rules: '',
      source: settingsToStore({ protocol: 'pop3', host: '127.0.0.1', port: 1, tls: 'none', login: 'a', password: 'b', pollSeconds: 3600 }, secrets),
    });
    // Not due for an hour: the first cycle reads the status, then would sleep until then.
    const { updateStatus } = await import('../../src/sources/status.js');
    await updateStatus(t.store.db, profile.id, { nextPollAt: new Date(Date.now() + 3_600_000).toISOString() });
    const scheduler = new Scheduler({ store: t.store, secrets, sources: defaultSources });
    await scheduler.start();
    // stop() at once: the cycle is inside its database read, with no sleep yet to wake.
    let stopped = false;
    const stopping = scheduler.stop().then(() => void (stopped = true));
    await waitFor(() => stopped, { what: 'the scheduler to stop without sleeping out the hour', timeoutMs: 10_000 });
    await stopping;
  } finally {
    await t.cleanup();
  }
});
