// A message the server cannot read ends the connection (Dovecot does, on a mail file it may not open)
// and must not hold back the mail after it. The poll that loses the connection on it fails and makes it
// the cursor's suspect; the next downloads it alone, in its place, and fails again; from then on it is
// downloaded after all the other new mail, and losing the connection on it is its own failure: the poll
// succeeds, reports it, keeps the cursor below it, and takes it once it can be read.
import assert from 'node:assert/strict';
import { chmod, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { makeMessage } from '../../support/messages.js';
import { openTestStore, type TestStore } from '../../support/store.js';
import { ImapSource } from '../../../src/sources/imap/index.js';
import { readCursor } from '../../../src/sources/imap/cursor.js';
import { Pop3Client } from '../../../src/sources/pop3/client.js';
import { getStatus } from '../../../src/sources/status.js';
import { listInboxItems } from '../../../src/store/inbox.js';
import { context, newProfile, recordAll, serverMessages, settingsFor, sourceOptions } from './helpers.js';

describe('an IMAP message the server cannot read', { skip: dovecotSkip() }, () => {
  let dc: Dovecot;
  let ts: TestStore;
  before(async () => {
    [dc, ts] = await Promise.all([startDovecot({ users: [{ user: 'u1', password: 'pw' }] }), openTestStore('sqlite')]);
  });
  after(async () => {
    await Promise.all([dc?.stop(), ts?.cleanup()]);
  });

  test('fails two polls, then is downloaded last: the mail after it flows, it is reported each poll, and taken once readable', async () => {
    for (const i of [1, 2, 3, 4]) await dc.deliver('u1', makeMessage({ subject: `m${i}` }));
    // A first session has Dovecot move the mail to cur/; then m2's file is made unreadable to it.
    const first = await Pop3Client.connect({ host: dc.host, port: dc.ports.pop3, tls: 'none', login: 'u1', password: 'pw' });
    await first.quit();
    const cur = path.join(dc.dir, 'mail', 'u1', 'Maildir', 'cur');
    let m2 = '';
    for (const name of await readdir(cur)) if ((await readFile(path.join(cur, name), 'latin1')).includes('Subject: m2\r\n')) m2 = path.join(cur, name);
    assert.ok(m2, 'm2 is in cur/');
    await chmod(m2, 0);

    const profile = await newProfile(ts.store);
    const settings = settingsFor(dc, 'u1', { tls: 'none', afterImport: { kind: 'seen' } });
    const source = new ImapSource(sourceOptions(dc));
    const poll = () => source.poll(context(ts.store, profile, settings, { afterIntake: recordAll(ts.store, profile.id) }));
    const subjects = async () => (await listInboxItems(ts.store.db, { profileId: profile.id })).map((i) => i.subject);
    const cursor = async () => readCursor((await getStatus(ts.store.db, profile.id)).cursor);

    await assert.rejects(poll(), /connection was lost while downloading UID 2/);
    assert.deepEqual(await subjects(), ['m1']);
    assert.deepEqual((await cursor())?.suspect, { uid: 2, losses: 1 });

    // Alone, in its place: m3 and m4 still wait behind it (a connection cut once by the network is
    // downloaded in UID order here, as if nothing had happened).
    await assert.rejects(poll(), /connection was lost while downloading UID 2/);
    assert.deepEqual(await subjects(), ['m1']);
    assert.deepEqual((await cursor())?.suspect, { uid: 2, losses: 2 });

    const third = await poll();
    assert.deepEqual([third.stored, third.failed.map((f) => f.key.replace(/:\d+:/, ':V:'))], [2, ['imap:INBOX:V:2']]);
    assert.match(third.failed[0]!.error, /connection was lost while downloading UID 2/);
    assert.deepEqual(await subjects(), ['m1', 'm3', 'm4']);
    assert.equal(third.acknowledged, 3, 'the others are acknowledged over a new connection');
    assert.deepEqual({ ...await cursor() }, { folder: 'INBOX', uidValidity: (await cursor())!.uidValidity, highestUid: 1, suspect: { uid: 2, losses: 2 } });

    await dc.deliver('u1', makeMessage({ subject: 'm5' }));
    const fourth = await poll();
    assert.deepEqual([fourth.stored, fourth.failed.length], [1, 1]);
    assert.deepEqual(await subjects(), ['m1', 'm3', 'm4', 'm5']);

    await chmod(m2, 0o600);
    const fifth = await poll();
    assert.deepEqual([fifth.stored, fifth.failed], [1, []]);
    assert.deepEqual(await subjects(), ['m1', 'm3', 'm4', 'm5', 'm2']);
    const done = await cursor();
    assert.equal(done?.highestUid, 5);
    assert.equal(done?.suspect, undefined, 'stored: no longer a suspect');
    assert.ok((await serverMessages(dc, 'u1')).every((m) => m.flags.includes('\\Seen')), 'every message acknowledged');
  });
});
