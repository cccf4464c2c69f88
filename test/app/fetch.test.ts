// `fetch --once` (fetchOnce) reports each processed message as its group commits (issue 14): a pass over
// a large stored backlog (a killed run's messages) must not hold every message's result until it ends.
// Seen from another connection, the first message reported comes while most of the backlog still has no
// outcome; every message is still reported once, in order, the earlier run's ones saying so.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { assemble, type App } from '../../src/app/app.js';
import { fetchOnce } from '../../src/app/fetch.js';
import type { ProcessedMessage } from '../../src/app/message-views.js';
import { settingsToStore } from '../../src/sources/profile-settings.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { createProfile } from '../../src/store/profiles.js';
import { addProject } from '../../src/tracker/builtin/admin.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { makeMessage } from '../support/messages.js';
import { openTestStore, type TestStore } from '../support/store.js';

describe('fetch --once reports as it goes', { skip: dovecotSkip() }, () => {
  let t: TestStore;
  let dc: Dovecot;
  let app: App;
  before(async () => {
    [t, dc] = await Promise.all([openTestStore('sqlite'), startDovecot({ users: [{ user: 'support', password: 'supportpw' }] })]);
    app = assemble(t.store);
    await addProject(t.store.db, { name: 'General' });
  });
  after(async () => {
    await dc?.stop();
    await t?.cleanup();
  });

  test('a stored backlog of 250 messages: the first is reported while most still wait, each once and in order', async () => {
    const profile = await createProfile(t.store.db, {
      name: 'support',
      rules: 'then attach to project 1 and create request in project 1\n',
      source: settingsToStore({ protocol: 'pop3', host: dc.host, port: dc.ports.pop3, tls: 'none', login: 'support', password: 'supportpw', firstRun: 'all' }, app.secrets()),
    });
    const stored: number[] = [];
    for (let i = 0; i < 250; i++) stored.push((await intakeMessage(t.store, makeMessage({ subject: `Backlog ${i}` }), { profileId: profile.id })).item.id);
    await dc.deliver('support', makeMessage({ subject: 'On the server' }));

    // Another connection, read synchronously as each message is reported: committed outcomes only.
    const look = new Database(join(t.store.dataDir, 'mailbind.sqlite'), { readonly: true });
    const waiting = look.prepare('select count(*) as n from inbox_items where outcome is null');
    const reported: Array<{ message: ProcessedMessage; stillWaiting: number }> = [];
    try {
      const report = await fetchOnce(app, profile.name, { onMessage: (message) => void reported.push({ message, stillWaiting: (waiting.get() as { n: number }).n }) });
      assert.equal(report.processed, 251);
    } finally {
      look.close();
    }
    // Reported a hundred at a time, each hundred once its query for earlier-stored messages gets the
    // connection (between two groups of 20); kept until the pass ended, none would still be waiting.
    assert.ok(reported[0]!.stillWaiting >= 50, `the first report came when ${reported[0]!.stillWaiting} messages were still waiting`);
    assert.deepEqual(reported.slice(0, 250).map((r) => [r.message.itemId, r.message.storedEarlier === true]), stored.map((id) => [id, true]));
    assert.equal(reported[250]!.message.subject, 'On the server');
    assert.equal(reported[250]!.message.storedEarlier, undefined);
  });
});
