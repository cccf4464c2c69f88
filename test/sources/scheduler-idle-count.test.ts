// The scheduler reports how many push (IMAP IDLE) connections its watchers hold open, for the metrics
// gauge: a watcher counts while it says it is watching, not merely while it exists. The watchers here
// stand in for ImapWatcher through the scheduler's own port (SourceFactory.watch); the IDLE test with
// Dovecot (scheduler-idle.test.ts) checks the count against a real connection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler, type SourceFactory } from '../../src/sources/scheduler.js';
import { settingsToStore } from '../../src/sources/profile-settings.js';
import { emptyReport } from '../../src/sources/source.js';
import { createProfile } from '../../src/store/profiles.js';
import { SecretBox } from '../../src/store/secrets.js';
import { openTestStore, type TestStore } from '../support/store.js';
import { waitFor } from '../support/wait.js';

let t: TestStore;
before(async () => (t = await openTestStore('sqlite')));
after(() => t.cleanup());

test('idleConnections counts the watchers whose connection is open', async () => {
  const secrets = SecretBox.forDataDir(t.dataDir);
  const common = { host: '127.0.0.1', tls: 'none', login: 'alice', password: 'pw', pollSeconds: 3600 } as const;
  for (const name of ['one', 'two']) {
    await createProfile(t.store.db, { name, rules: '', source: settingsToStore({ ...common, protocol: 'imap', idle: true }, secrets) });
  }
  await createProfile(t.store.db, { name: 'pop', rules: '', source: settingsToStore({ ...common, protocol: 'pop3' }, secrets) });
  const watchers: Array<{ watching: boolean; stop(): Promise<void> }> = [];
  const sources: SourceFactory = {
    source: () => ({ poll: async () => emptyReport() }),
    watch: (settings) => {
      if (settings.protocol !== 'imap') return null;
      const watcher = { watching: false, stop: async () => void (watcher.watching = false) };
      watchers.push(watcher);
      return watcher;
    },
  };
  const scheduler = new Scheduler({ store: t.store, secrets, sources });
  await scheduler.start();
  try {
    await waitFor(() => watchers.length === 2, { what: () => `both IMAP profiles to start a watcher (${watchers.length})` });
    assert.equal(scheduler.idleConnections(), 0, 'connecting is not connected');
    watchers[0]!.watching = true;
    assert.equal(scheduler.idleConnections(), 1);
    watchers[1]!.watching = true;
    assert.equal(scheduler.idleConnections(), 2);
    watchers[0]!.watching = false;
    assert.equal(scheduler.idleConnections(), 1, 'a dropped connection is not counted');
  } finally {
    await scheduler.stop();
  }
});
