// Push through IMAP IDLE, end to end: the scheduler's watcher sees new mail and the message is
// processed within 2 s, although the profile would only poll every 60 s.
import { describe, test, before, after } from 'node:test';
import { processorFor } from '../support/processor.js';
import assert from 'node:assert/strict';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { Scheduler } from '../../src/sources/scheduler.js';
import { defaultSources } from '../../src/sources/registry.js';
import { settingsToStore } from '../../src/sources/profile-settings.js';
import { getStatus } from '../../src/sources/status.js';
import { SecretBox } from '../../src/store/secrets.js';
import { createProfile } from '../../src/store/profiles.js';
import { listInboxItems } from '../../src/store/inbox.js';
import { Processor } from '../../src/engine/process.js';
import { addProject } from '../../src/tracker/builtin/admin.js';

async function until<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

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

  test('new mail during IDLE is imported and processed within 2 s', async () => {
    const secrets = SecretBox.forDataDir(t.dataDir);
    const profile = await createProfile(t.store.db, {
      name: 'idle',
      rules: 'then attach to project 1 and create request in project 1',
      source: settingsToStore({ protocol: 'imap', host: '127.0.0.1', port: dc.ports.imaps, tls: 'tls', login: 'alice', password: 'alicepw', pollSeconds: 60, idle: true }, secrets),
    });
    const processor = processorFor(t.store);
    const scheduler = new Scheduler({
      store: t.store,
      secrets,
      sources: defaultSources,
      extras: { ca: dc.caCert, timeoutMs: 10_000 },
      afterIntake: async (p) => void (await processor.processDue({ profileId: p.id })),
    });
    await scheduler.start();
    try {
      const firstPoll = await until(async () => (await getStatus(t.store.db, profile.id)).lastSuccessAt ?? undefined, 10_000);
      assert.ok(firstPoll, 'the first poll ran');
      await new Promise((r) => setTimeout(r, 500)); // let the watcher enter IDLE
      const delivered = Date.now();
      await dc.deliver('alice', makeMessage({ subject: 'pushed' }));
      const item = await until(async () => (await listInboxItems(t.store.db, { profileId: profile.id })).find((i) => i.outcome === 'imported'), 5_000);
      const elapsed = Date.now() - delivered;
      assert.equal(item?.subject, 'pushed');
      assert.ok(elapsed < 2000, `processed ${elapsed} ms after delivery`);
      // The acknowledgement follows the recorded outcome, in the same poll.
      const acked = await until(async () => (await listInboxItems(t.store.db, { profileId: profile.id })).find((i) => i.ackState === 'done'), 5_000);
      assert.equal(acked?.ackAction, 'seen', 'marked seen on the server after processing');
    } finally {
      await scheduler.stop();
    }
  });
});
