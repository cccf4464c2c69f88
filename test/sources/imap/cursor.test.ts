// CursorWriter: a poll writes its folder's cursor as UIDs settle, not again unchanged; a value written
// inside a batch's transaction counts as written only once that transaction commits (a rolled-back one
// wrote nothing, so the same value must be written again). The messages the connection was lost on
// (suspects) are counted one by one, kept by every write until the cursor passes them, and never more
// than MAX_SUSPECTS. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openTestStore, type TestStore } from '../../support/store.js';
import { CursorWriter, MAX_SUSPECTS, readCursor, writeCursor } from '../../../src/sources/imap/cursor.js';
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
      await assert.rejects(writer.lostOn(t.store.db, 5), /pointed at another mailbox account during this poll/);
      assert.equal(readCursor((await getStatus(t.store.db, profileId)).cursor)?.suspects, undefined, 'nor a suspect');
    });

    test('suspects: each loss counted for its own message, the others kept, kept by writes below them, dropped once passed', async () => {
      const profileId = await newProfile();
      const suspects = async () => readCursor((await getStatus(t.store.db, profileId)).cursor)?.suspects;
      const writer = new CursorWriter(profileId, folder, null, null);
      await writer.lostOn(t.store.db, 4);
      assert.equal(await suspects(), undefined, 'nothing recorded before the cursor is first written');
      (await writer.write(t.store.db, 1))();
      await writer.lostOn(t.store.db, 4);
      await writer.lostOn(t.store.db, 2);
      await writer.lostOn(t.store.db, 4);
      await writer.lostOn(t.store.db, 1);
      assert.deepEqual(await suspects(), [{ uid: 2, losses: 1 }, { uid: 4, losses: 2 }], 'in UID order; none at or below the cursor');
      (await writer.write(t.store.db, 1))();
      (await writer.write(t.store.db, 3))();
      assert.deepEqual(await suspects(), [{ uid: 4, losses: 2 }], 'passed: stored or known now');
      // A new poll starts from what is stored.
      const next = new CursorWriter(profileId, folder, 3, null, readCursor((await getStatus(t.store.db, profileId)).cursor)!.suspects);
      await next.lostOn(t.store.db, 4);
      assert.deepEqual(await suspects(), [{ uid: 4, losses: 3 }]);
      (await next.write(t.store.db, 9))();
      assert.equal(await suspects(), undefined);
    });

    test('suspects: no more than MAX_SUSPECTS; one more is not recorded, one already there still counts', async () => {
      const profileId = await newProfile();
      const writer = new CursorWriter(profileId, folder, null, null);
      (await writer.write(t.store.db, 1))();
      for (let uid = 2; uid < 2 + MAX_SUSPECTS; uid++) await writer.lostOn(t.store.db, uid);
      await writer.lostOn(t.store.db, 2 + MAX_SUSPECTS);
      await writer.lostOn(t.store.db, 2);
      const suspects = readCursor((await getStatus(t.store.db, profileId)).cursor)!.suspects!;
      assert.equal(suspects.length, MAX_SUSPECTS);
      assert.deepEqual([suspects[0], suspects.at(-1)], [{ uid: 2, losses: 2 }, { uid: 1 + MAX_SUSPECTS, losses: 1 }]);
    });
  });
}

test('readCursor keeps well-formed suspects above the cursor, in UID order, and drops anything else', () => {
  const cursor = readCursor({
    folder: 'INBOX', uidValidity: '7', highestUid: 3,
    suspects: [{ uid: 9, losses: 1 }, { uid: 5, losses: 2 }, { uid: 3, losses: 1 }, { uid: 6, losses: 0 }, { uid: 'x', losses: 1 }, null, 4],
  });
  assert.deepEqual(cursor, { folder: 'INBOX', uidValidity: '7', highestUid: 3, suspects: [{ uid: 5, losses: 2 }, { uid: 9, losses: 1 }] });
  assert.deepEqual(readCursor({ folder: 'INBOX', uidValidity: '7', highestUid: 3, suspects: 'none' }), { folder: 'INBOX', uidValidity: '7', highestUid: 3 });
});
