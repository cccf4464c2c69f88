// Duplicates at intake, on SQLite and PostgreSQL: the same bytes under another origin key become their own
// item, ignored as `duplicate of message #N` (never a second request, never a silent skip); the same
// origin key again is nothing new (an import run twice); other bytes under a known Message-ID are new mail
// with a note in the trace. One rule at intake, so every source (IMAP, POP3, deliver, import) has it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { processorFor } from '../support/processor.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { createProfile, type Profile } from '../../src/store/profiles.js';
import { getInboxItem } from '../../src/store/inbox.js';
import { addProject } from '../../src/tracker/builtin/admin.js';

for (const dialect of await dialects()) {
  describe(`duplicates at intake on ${dialect}`, () => {
    let t: TestStore;
    let profile: Profile;
    let n = 0;
    before(async () => {
      t = await openTestStore(dialect);
      await addProject(t.store.db, { name: 'General' });
    });
    after(() => t?.cleanup());
    const newProfile = async () =>
      (profile = await createProfile(t.store.db, { name: `dup-${++n}`, rules: 'then attach to project 1 and create request in project 1' }));
    const requests = async () => Number((await t.store.db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

    test('the same bytes under another origin key: an ignored item naming the first, acknowledged, no request', async () => {
      await newProfile();
      const raw = makeMessage({ subject: 'printer on fire' });
      const first = await intakeMessage(t.store, raw, { profileId: profile.id, originKey: 'imap:INBOX:1:7', acknowledge: true });
      await processorFor(t.store).processDue({ profileId: profile.id });
      const made = await requests();
      const again = await intakeMessage(t.store, raw, { profileId: profile.id, originKey: 'imap:INBOX:1:8', acknowledge: true });
      assert.equal(again.inserted, true);
      assert.deepEqual([again.item.outcome, again.item.reason, again.item.state, again.item.ackState],
        ['ignored', `duplicate of message #${first.item.id}`, 'done', 'pending']);
      // Pushed or imported (the content key), it is a duplicate too; a third copy names the first as well.
      const pushed = await intakeMessage(t.store, raw, { profileId: profile.id });
      assert.deepEqual([pushed.inserted, pushed.item.reason], [true, `duplicate of message #${first.item.id}`]);
      assert.equal((await processorFor(t.store).processDue({ profileId: profile.id })).length, 0);
      assert.equal(await requests(), made);
      // The same content key again (an import run twice): nothing new at all.
      const rerun = await intakeMessage(t.store, raw, { profileId: profile.id });
      assert.deepEqual([rerun.inserted, rerun.item.id], [false, pushed.item.id]);
    });

    test('without a Message-ID the bytes alone decide', async () => {
      await newProfile();
      const raw = makeMessage({ subject: 'no id', messageId: null });
      const first = await intakeMessage(t.store, raw, { profileId: profile.id, originKey: 'pop3:a@b:1' });
      await processorFor(t.store).processDue({ profileId: profile.id }); // gives the item a synthetic Message-ID
      const again = await intakeMessage(t.store, raw, { profileId: profile.id, originKey: 'pop3:a@b:2' });
      assert.equal(again.item.reason, `duplicate of message #${first.item.id}`);
      const other = await intakeMessage(t.store, makeMessage({ subject: 'no id either', messageId: null }), { profileId: profile.id, originKey: 'pop3:a@b:3' });
      assert.equal(other.item.outcome, null);
    });

    test('other bytes under a known Message-ID: new mail, processed, with a note in its trace', async () => {
      await newProfile();
      const first = await intakeMessage(t.store, makeMessage({ subject: 'one', messageId: 'same@x' }), { profileId: profile.id, originKey: 'k1' });
      const second = await intakeMessage(t.store, makeMessage({ subject: 'two', messageId: 'same@x' }), { profileId: profile.id, originKey: 'k2' });
      assert.equal(second.item.outcome, null);
      const [, result] = await processorFor(t.store).processDue({ profileId: profile.id });
      assert.equal(result!.outcome, 'imported');
      const stored = await getInboxItem(t.store.db, second.item.id);
      const warnings = (stored!.trace as { warnings: string[] }).warnings;
      assert.deepEqual(warnings, [`Message-ID also used by message #${first.item.id} with different content`]);
    });

    test('duplicates are per profile', async () => {
      const raw = makeMessage({ subject: 'two mailboxes' });
      await newProfile();
      await intakeMessage(t.store, raw, { profileId: profile.id, originKey: 'x:1' });
      const other = await newProfile();
      const there = await intakeMessage(t.store, raw, { profileId: other.id, originKey: 'x:1' });
      assert.equal(there.item.outcome, null);
    });
  });
}
