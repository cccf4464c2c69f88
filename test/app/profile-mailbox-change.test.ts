// A profile moved to another IMAP mailbox (a new login or host). IMAP names a message by folder,
// UIDVALIDITY and UID, and two mailboxes can share a folder's UIDVALIDITY (Dovecot takes the second
// the folder was made; providers use small fixed numbers), so the old mailbox's messages must not stand
// for the new one's: none of the new mailbox's mail is taken for already stored, and no acknowledgement
// owed to the old mailbox (delete, move, seen) is carried out on the new one's messages of the same UIDs.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, type App } from '../../src/app/app.js';
import { fetchOnce } from '../../src/app/fetch.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { updateProfile } from '../../src/app/profiles.js';
import { runtimeSettings, settingsToStore } from '../../src/sources/profile-settings.js';
import { defaultSources } from '../../src/sources/registry.js';
import { createProfile } from '../../src/store/profiles.js';
import { addProject } from '../../src/tracker/builtin/admin.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { makeMessage } from '../support/messages.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const USERS = [{ user: 'alice', password: 'alicepw' }, { user: 'bob', password: 'bobpw' }];

for (const dialect of await dialects()) {
  describe(`a profile moved to another IMAP mailbox (${dialect})`, { skip: dovecotSkip() }, () => {
    let t: TestStore;
    let dc: Dovecot;
    let app: App;
    before(async () => {
      [t, dc] = await Promise.all([openTestStore(dialect), startDovecot({ users: USERS })]);
      app = assemble(t.store);
      await addProject(t.store.db, { name: 'General' });
    });
    after(async () => {
      await dc?.stop();
      await t?.cleanup();
    });

    /** A profile reading Alice's INBOX over plain IMAP, with these first-run and after-import settings. */
    const alicesProfile = (name: string, settings: { firstRun: string; afterImport?: string }) => createProfile(t.store.db, {
      name,
      rules: 'then attach to project 1 and create request in project 1\n',
      source: settingsToStore({ protocol: 'imap', host: dc.host, port: dc.ports.imap, tls: 'none', login: 'alice', password: 'alicepw', ...settings }, app.secrets()),
    });
    const inbox = async (user: string) => (await dc.doveadm(['search', '-u', user, 'mailbox', 'INBOX', 'all'])).trim().split('\n').filter(Boolean).length;
    const uidValidity = async (user: string) => (await dc.doveadm(['mailbox', 'status', '-u', user, 'uidvalidity', 'INBOX'])).trim();

    test("the new mailbox's messages are all taken, and the old one's deletes are not carried out on them", async () => {
      for (const n of [1, 2]) await dc.deliver('alice', makeMessage({ messageId: `alice-${n}@example.com`, subject: `Alice ${n}` }));
      for (const n of [1, 2, 3]) await dc.deliver('bob', makeMessage({ messageId: `bob-${n}@example.com`, subject: `Bob ${n}` }));
      // The case needs the two INBOXes to share a UIDVALIDITY: Dovecot gives them the same one when they
      // are made in the same second, and here it is made so whatever the clock did.
      const alices = (await uidValidity('alice')).split('=')[1]!;
      await dc.doveadm(['mailbox', 'update', '-u', 'bob', '--uid-validity', alices, 'INBOX']);
      assert.equal((await uidValidity('bob')).split('=')[1], alices, 'the two INBOXes share a UIDVALIDITY');
      const profile = await alicesProfile('support', { firstRun: 'all', afterImport: 'delete' });
      // A poll stores Alice's two, and they are processed after it (as a worker does): deleting them from
      // her mailbox is then owed, to be done at the next poll.
      const settings = runtimeSettings(profile, app.secrets())!;
      await defaultSources.source(settings, {})!.poll({ store: t.store, profile, settings });
      const first = await (await app.processor()).processDue({ profileId: profile.id });
      assert.deepEqual(first.map((r) => r.outcome), ['imported', 'imported']);
      const owed = await t.store.db.selectFrom('inbox_items').select('id').where('profile_id', '=', profile.id).where('ack_state', '=', 'pending').execute();
      assert.equal(owed.length, 2, 'two acknowledgements owed to the old mailbox');

      const moved = await updateProfile(app, profile.name, { source: { login: 'bob', password: 'bobpw' } }, cliPrincipal('test'));
      assert.ok(moved.notes.includes('the 2 messages taken from the old mailbox keep their outcomes; nothing more is done to them on its server'), moved.notes.join('; '));
      const second = await fetchOnce(app, profile.name);

      const subjects = (await t.store.db.selectFrom('inbox_items').select('subject').where('profile_id', '=', profile.id).orderBy('id').execute()).map((r) => r.subject);
      assert.deepEqual(subjects, ['Alice 1', 'Alice 2', 'Bob 1', 'Bob 2', 'Bob 3'], "every one of Bob's messages is taken");
      assert.equal(second.processed, 3);
      // Bob's messages were deleted only once stored (his profile deletes after import); Alice's stay,
      // as nothing may be done to a mailbox the profile no longer reads.
      assert.equal(await inbox('alice'), 2, "Alice's mailbox untouched");
      const settled = await t.store.db.selectFrom('inbox_items').select(['subject', 'ack_state', 'ack_action']).where('profile_id', '=', profile.id).orderBy('id').execute();
      assert.deepEqual(settled.slice(0, 2).map((r) => [r.subject, r.ack_state, r.ack_action]), [['Alice 1', 'done', 'leave'], ['Alice 2', 'done', 'leave']]);
      assert.equal(await inbox('bob'), 0, "Bob's three deleted by his profile's own action, each once stored");
    });

    test('a poll of the old account still under way leaves no keys of it alone once the profile reads another', async () => {
      await dc.deliver('alice', makeMessage({ messageId: 'alice-old@example.com', subject: 'Alice, old' }));
      // Every message older than its first-run date is left alone (known), not taken.
      const profile = await alicesProfile('stale-poll', { firstRun: 'since:2099-01-01' });
      const settings = runtimeSettings(profile, app.secrets())!;
      // The poll began with Alice's settings; meanwhile the profile was pointed at Bob.
      await updateProfile(app, profile.name, { source: { login: 'bob', password: 'bobpw' } }, cliPrincipal('test'));
      await assert.rejects(defaultSources.source(settings, {})!.poll({ store: t.store, profile, settings }), /pointed at another mailbox account during this poll/);
      const known = await t.store.db.selectFrom('source_known').select('origin_key').where('profile_id', '=', profile.id).execute();
      assert.deepEqual(known, [], "none of Alice's keys left to hide Bob's messages");
    });

    test('the same account reached another way (the port and TLS) keeps its keys: nothing is taken twice', async () => {
      await dc.deliver('alice', makeMessage({ messageId: 'alice-3@example.com', subject: 'Alice 3' }));
      const profile = await alicesProfile('same-account', { firstRun: 'all' });
      const first = await fetchOnce(app, profile.name);
      assert.equal(first.processed, await inbox('alice'), 'every message in her mailbox');
      const moved = await updateProfile(app, profile.name, { source: { port: dc.ports.imaps, tls: 'tls', password: 'alicepw' } }, cliPrincipal('test'));
      assert.deepEqual(moved.notes.filter((n) => /old mailbox/.test(n)), []);
      const keys = await t.store.db.selectFrom('inbox_items').select('origin_key').where('profile_id', '=', profile.id).execute();
      assert.ok(keys.every((k) => k.origin_key.startsWith('imap:')), 'its keys kept');
    });
  });
}
