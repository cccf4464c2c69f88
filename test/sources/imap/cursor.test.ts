// CursorWriter: a poll writes its folder's cursor as UIDs settle, not again unchanged; a value written
// inside a batch's transaction counts as written only once that transaction commits (a rolled-back one
// wrote nothing, so the same value must be written again). On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openTestStore, type TestStore } from '../../support/store.js';
import { CursorWriter, readCursor, writeCursor } from '../../../src/sources/imap/cursor.js';
import { getStatus } from '../../../src/sources/status.js';
import { createProfile, updateProfile } from '../../../src/store/profiles.js';

const folder = { path: 'INBOX', uidValidity: '7' };

for (const dialect of await dialects()) {
  describe(`the IMAP cursor writer on ${dialect}`, () => {
    let t: TestStore;
    let n = 0;
    before(async () => {
      t = await openTestStore(dialect);
    });
    after(() => t?.cleanup());
    const newProfile = async () => (await createProfile(t.store.db, { name: `cursor-${++n}`, rules: '' })).id;
    const stored = async (profileId: number) => readCursor((await getStatus(t.store.db, profileId)).cursor)?.highestUid ?? null;

    test('a value written in a transaction that rolled back is written again', async () => {
      const profileId = await newProfile();
      const writer = new CursorWriter(profileId, folder, null, null);
      await assert.rejects(t.store.db.transaction().execute(async (trx) => {
        await writer.write(trx, 5); // the batch's rows and cursor …
        throw new Error('the commit failed'); // … rolled back together
      }), /the commit failed/);
      assert.equal(await stored(profileId), null);
      (await writer.write(t.store.db, 5))();
      assert.equal(await stored(profileId), 5, 'written again, not taken as written');
    });

    test('a committed value is not written again unchanged; another value is', async () => {
      const profileId = await newProfile();
      const writer = new CursorWriter(profileId, folder, null, null);
      const committed = await t.store.db.transaction().execute((trx) => writer.write(trx, 5));
      committed();
      // Someone else moved the stored cursor: a write of the value this poll already stored is skipped.
      await writeCursor(t.store.db, profileId, { folder: folder.path, uidValidity: folder.uidValidity, highestUid: 9 });
      (await writer.write(t.store.db, 5))();
      assert.equal(await stored(profileId), 9);
      (await writer.write(t.store.db, 6))();
      assert.equal(await stored(profileId), 6);
    });

    test('once the profile reads another account, a poll of the old one writes no cursor (and its batch rolls back with it)', async () => {
      const alice = { protocol: 'imap' as const, host: 'mail.example.com', port: 143, tls: 'none' as const, login: 'alice' };
      const profileId = (await createProfile(t.store.db, { name: `cursor-${++n}`, rules: '', source: alice as never })).id;
      const writer = new CursorWriter(profileId, folder, null, alice as never);
      (await writer.write(t.store.db, 3))();
      assert.equal(await stored(profileId), 3);
      await updateProfile(t.store.db, profileId, { source: { ...alice, login: 'bob' } as never });
      await assert.rejects(writer.write(t.store.db, 8), /pointed at another mailbox account during this poll/);
      assert.equal(await stored(profileId), 3, 'not moved by the old account\'s poll');
    });
  });
}
