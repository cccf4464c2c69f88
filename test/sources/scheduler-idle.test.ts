// Push through IMAP IDLE, end to end: the scheduler's watcher sees new mail and the message is
// processed before the profile's next scheduled poll (it polls every 60 s). How fast is a figure of
// `npm run bench`, not an assertion here.
import { describe, test, before, after } from 'node:test';
import { processorFor } from '../support/processor.js';
import assert from 'node:assert/strict';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { memoryLog } from '../support/memory-log.js';
import { waitFor } from '../support/wait.js';
import { Scheduler } from '../../src/sources/scheduler.js';
import { defaultSources } from '../../src/sources/registry.js';
import { settingsToStore } from '../../src/sources/profile-settings.js';
import { getStatus } from '../../src/sources/status.js';
import { SecretBox } from '../../src/store/secrets.js';
import { createProfile } from '../../src/store/profiles.js';
import { listInboxItems } from '../../src/store/inbox.js';
import { addProject } from '../../src/tracker/builtin/admin.js';

describe('IMAP IDLE through the scheduler', { skip: dovecotSkip() }, () => {
  let dc: Dovecot;
  let t: TestStore;

  before(async () => {
    dc = await startDovecot();
    t = await openTestStore('sqlite');
    await addProject(t.store.db, { name: 'General' });
  });
  after(async () => {
    await t?.cleanup();
    await dc?.stop();
  });

  test('new mail during IDLE is imported and processed before the next scheduled poll', async () => {
    const secrets = SecretBox.forDataDir(t.dataDir);
    const profile = await createProfile(t.store.db, {
      name: 'idle',
      rules: 'then attach to project 1 and create request in project 1',
      source: settingsToStore({ protocol: 'imap', host: '127.0.0.1', port: dc.ports.imaps, tls: 'tls', login: 'alice', password: 'alicepw', pollSeconds: 60, idle: true }, secrets),
    });
    const processor = processorFor(t.store);
    // Debug records include imapflow's, which say when the server has accepted IDLE.
    const log = memoryLog();
    let polls = 0;
    const scheduler = new Scheduler({
      store: t.store,
      secrets,
      sources: defaultSources,
      logger: log.logger,
      extras: { ca: dc.caCert, timeoutMs: 10_000 },
      afterIntake: async (p) => void (await processor.processDue({ profileId: p.id })),
      onPoll: () => void polls++,
    });
    await scheduler.start();
    try {
      // The first poll, and the one the watcher's 'connected' notice triggers (mail may have arrived while
      // nobody watched): after both, nothing polls until the schedule says so, 54 s or more away.
      await waitFor(() => polls >= 2, { what: () => `the first two polls (${polls} so far)` });
      await waitFor(() => log.find('Initiated IDLE, waiting for server input').length > 0, { what: 'the watcher to enter IDLE' });
      assert.equal(polls, 2);
      assert.equal(scheduler.idleConnections(), 1, 'the IDLE connection is counted (the metrics gauge reads it)');
      const { nextPollAt } = await getStatus(t.store.db, profile.id);
      const due = Date.parse(nextPollAt!);
      await dc.deliver('alice', makeMessage({ subject: 'pushed' }));
      // Only the IDLE push can bring the message in before the scheduled poll: wait no longer than until then.
      const item = await waitFor(async () => (await listInboxItems(t.store.db, { profileId: profile.id })).find((i) => i.outcome !== null), {
        what: 'the pushed message to be processed before the scheduled poll', timeoutMs: Math.min(30_000, due - Date.now() - 5_000),
      });
      assert.deepEqual([item.subject, item.outcome], ['pushed', 'imported']);
      // The acknowledgement follows the recorded outcome, in the same poll.
      const acked = await waitFor(async () => (await listInboxItems(t.store.db, { profileId: profile.id })).find((i) => i.ackState === 'done'), {
        what: 'the message to be acknowledged on the server',
      });
      assert.equal(acked.ackAction, 'seen', 'marked seen on the server after processing');
    } finally {
      await scheduler.stop();
    }
  });
});
