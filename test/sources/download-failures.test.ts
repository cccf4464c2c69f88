// A poll that succeeds but cannot download a message (the server refuses to send it, or the database its
// row) names that message on the profile's status, with the error and since when, instead of only in the
// log: through the scheduler (IMAP, a row refused) and `fetch --once` (POP3, a RETR refused). The next
// poll that downloads it clears the list; one that fails it again keeps its `since`.
import assert from 'node:assert/strict';
import { chmod, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { assemble } from '../../src/app/app.js';
import { fetchOnce } from '../../src/app/fetch.js';
import { profileStatuses } from '../../src/app/status.js';
import { settingsToStore } from '../../src/sources/profile-settings.js';
import { defaultSources } from '../../src/sources/registry.js';
import { Scheduler } from '../../src/sources/scheduler.js';
import { getStatus } from '../../src/sources/status.js';
import { listInboxItems } from '../../src/store/inbox.js';
import { createProfile } from '../../src/store/profiles.js';
import { SecretBox } from '../../src/store/secrets.js';
import { addProject } from '../../src/tracker/builtin/admin.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { makeMessage } from '../support/messages.js';
import { processorFor } from '../support/processor.js';
import { openTestStore, type TestStore } from '../support/store.js';
import { waitFor } from '../support/wait.js';
import { Pop3Client } from '../../src/sources/pop3/client.js';

const RULES = 'then attach to project 1 and create request in project 1';

describe('messages a poll could not download, on the profile\'s status', { skip: dovecotSkip() }, () => {
  let dc: Dovecot;
  let t: TestStore;
  before(async () => {
    [dc, t] = await Promise.all([
      startDovecot({ users: [{ user: 'imapbox', password: 'pw' }, { user: 'popbox', password: 'pw' }] }),
      openTestStore('sqlite'),
    ]);
    await addProject(t.store.db, { name: 'General' });
  });
  after(async () => {
    await Promise.all([dc?.stop(), t?.cleanup()]);
  });

  /**
   * Delivers m1..m3 and, once Dovecot has moved them to cur/ (a first session), makes m2's file unreadable
   * to it. POP3 answers m2's RETR with -ERR and goes on; Dovecot's IMAP ends the connection instead.
   */
  async function mailboxWithUnreadable(user: string): Promise<string> {
    for (const i of [1, 2, 3]) await dc.deliver(user, makeMessage({ subject: `m${i}` }));
    const session = await Pop3Client.connect({ host: dc.host, port: dc.ports.pop3, tls: 'none', login: user, password: 'pw' });
    await session.quit();
    const cur = path.join(dc.dir, 'mail', user, 'Maildir', 'cur');
    for (const name of await readdir(cur)) {
      const file = path.join(cur, name);
      if ((await readFile(file, 'latin1')).includes('Subject: m2\r\n')) {
        await chmod(file, 0);
        return file;
      }
    }
    throw new Error('m2 is not in cur/');
  }

  test('the scheduler (IMAP): a row the database refuses; the poll succeeds, the status names m2 and why; once accepted, the next poll takes it and the list is empty', async () => {
    for (const i of [1, 2, 3]) await dc.deliver('imapbox', makeMessage({ subject: `m${i}` }));
    const secrets = SecretBox.forDataDir(t.dataDir);
    const profile = await createProfile(t.store.db, {
      name: 'imapbox', rules: RULES,
      source: settingsToStore({ protocol: 'imap', host: '127.0.0.1', port: dc.ports.imap, tls: 'none', login: 'imapbox', password: 'pw', firstRun: 'all', idle: false }, secrets),
    });
    // A real refusal by the database of UID 2's row, whatever its labels (the intake tries once more without them).
    await sql.raw(`create trigger refuse_uid2 before insert on inbox_items when new.origin_key like 'imap:INBOX:%:2'
      begin select raise(abort, 'refused by refuse_uid2'); end`).execute(t.store.db);
    const processor = processorFor(t.store);
    const scheduler = new Scheduler({
      store: t.store, secrets, sources: defaultSources,
      afterIntake: async (p) => void (await processor.processDue({ profileId: p.id })),
    });
    await scheduler.start();
    try {
      const status = await waitFor(async () => (await getStatus(t.store.db, profile.id)).downloadFailures, { what: 'a poll that could not store m2' });
      assert.equal((await getStatus(t.store.db, profile.id)).consecutiveFailures, 0, 'the poll itself succeeded');
      assert.equal(status.total, 1);
      assert.match(status.first[0]!.key, /^imap:INBOX:\d+:2$/);
      assert.match(status.first[0]!.error, /^the database refused this message's inbox row: refused by refuse_uid2/);
      assert.deepEqual((await listInboxItems(t.store.db, { profileId: profile.id })).map((i) => i.subject), ['m1', 'm3']);

      await sql.raw('drop trigger refuse_uid2').execute(t.store.db);
      scheduler.trigger(profile.id);
      await waitFor(async () => (await getStatus(t.store.db, profile.id)).downloadFailures === null, { what: 'a poll that stored m2' });
      assert.deepEqual((await listInboxItems(t.store.db, { profileId: profile.id })).map((i) => i.subject), ['m1', 'm3', 'm2']);
    } finally {
      await scheduler.stop();
    }
  });

  test('fetch --once (POP3): the status names m2 with the server\'s refusal; a second poll keeps its since; the API view shows it', async () => {
    const m2 = await mailboxWithUnreadable('popbox');
    const app = assemble(t.store);
    const profile = await createProfile(t.store.db, {
      name: 'popbox', rules: RULES,
      source: settingsToStore({ protocol: 'pop3', host: '127.0.0.1', port: dc.ports.pop3, tls: 'none', login: 'popbox', password: 'pw', firstRun: 'all' }, app.secrets()),
    });
    const first = await fetchOnce(app, profile.name);
    assert.equal(first.server.failed.length, 1);
    const after1 = (await getStatus(t.store.db, profile.id)).downloadFailures;
    assert.equal(after1?.total, 1);
    assert.match(after1!.first[0]!.error, /^RETR refused by the server: /);
    const second = await fetchOnce(app, profile.name);
    assert.equal(second.server.failed.length, 1);
    const after2 = (await getStatus(t.store.db, profile.id)).downloadFailures;
    assert.deepEqual(after2, after1, 'the same message, failing since the first poll');
    const [view] = await profileStatuses(app, profile.name);
    assert.deepEqual(view!.downloadFailures, after1);

    await chmod(m2, 0o600);
    const third = await fetchOnce(app, profile.name);
    assert.deepEqual([third.server.stored, third.server.failed], [1, []]);
    assert.equal((await getStatus(t.store.db, profile.id)).downloadFailures, null);
  });
});
