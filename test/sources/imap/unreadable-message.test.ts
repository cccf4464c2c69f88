// A message the server cannot read ends the connection (Dovecot does, on a mail file it may not open)
// and must not hold back the mail after it. The poll that loses the connection on it fails and makes it
// a suspect of the cursor; the next downloads it alone, in its place, and fails again; from then on it
// is downloaded after all the other new mail (each such one over a connection of its own), and losing
// the connection on it is its own failure: the poll succeeds, reports it, keeps the cursor below it, and
// takes it once it can be read.
import assert from 'node:assert/strict';
import { chmod, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { makeMessage } from '../../support/messages.js';
import { memoryLog } from '../../support/memory-log.js';
import { openTestStore, type TestStore } from '../../support/store.js';
import { ImapSource } from '../../../src/sources/imap/index.js';
import { readCursor, writeCursor } from '../../../src/sources/imap/cursor.js';
import { Pop3Client } from '../../../src/sources/pop3/client.js';
import { getStatus, updateStatus } from '../../../src/sources/status.js';
import { listInboxItems } from '../../../src/store/inbox.js';
import { context, newProfile, recordAll, serverMessages, settingsFor, sourceOptions } from './helpers.js';
import { startProxy } from '../../support/tcp-proxy.js';

describe('an IMAP message the server cannot read', { skip: dovecotSkip() }, () => {
  let dc: Dovecot;
  let ts: TestStore;
  before(async () => {
    [dc, ts] = await Promise.all([startDovecot({ users: [{ user: 'u1', password: 'pw' }, { user: 'u2', password: 'pw' }, { user: 'u3', password: 'pw' }] }), openTestStore('sqlite')]);
  });
  after(async () => {
    await Promise.all([dc?.stop(), ts?.cleanup()]);
  });

  /** The files of `user`'s messages whose bytes match `which`, made unreadable to Dovecot (two of them). */
  async function makeUnreadable(user: string, which: RegExp): Promise<string[]> {
    // A first session has Dovecot move the mail to cur/; then the files are made unreadable to it.
    const first = await Pop3Client.connect({ host: dc.host, port: dc.ports.pop3, tls: 'none', login: user, password: 'pw' });
    await first.quit();
    const cur = path.join(dc.dir, 'mail', user, 'Maildir', 'cur');
    const unreadable: string[] = [];
    for (const name of await readdir(cur)) {
      if (which.test(await readFile(path.join(cur, name), 'latin1'))) unreadable.push(path.join(cur, name));
    }
    assert.equal(unreadable.length, 2, 'both are in cur/');
    for (const file of unreadable) await chmod(file, 0);
    return unreadable;
  }

  test('a suspect held for last, beyond the first batches: no batch moves the cursor past what it has stored', async () => {
    for (const i of [1, 2, 3, 4, 5, 6, 7]) await dc.deliver('u2', makeMessage({ subject: `n${i}` }));
    const profile = await newProfile(ts.store);
    const settings = settingsFor(dc, 'u2', { tls: 'none' });
    const source = new ImapSource(sourceOptions(dc, { batchMessages: 2 }));
    // As two polls that lost the connection on UID 6 leave the cursor (the message is readable now).
    const uidValidity = /uidvalidity=(\d+)/.exec(await dc.doveadm(['mailbox', 'status', '-u', 'u2', 'uidvalidity', 'INBOX']))![1]!;
    await writeCursor(ts.store.db, profile.id, { folder: 'INBOX', uidValidity, highestUid: 0, suspects: [{ uid: 6, losses: 2 }] });
    await updateStatus(ts.store.db, profile.id, { baselineAt: new Date().toISOString() });
    const seen: Array<[number | undefined, string[]]> = [];
    const report = await source.poll(context(ts.store, profile, settings, {
      afterIntake: async () => {
        const stored = (await listInboxItems(ts.store.db, { profileId: profile.id })).map((i) => i.subject!);
        seen.push([readCursor((await getStatus(ts.store.db, profile.id)).cursor)?.highestUid, stored]);
      },
    }));
    assert.deepEqual([report.stored, report.failed], [7, []]);
    for (const [highestUid, stored] of seen) {
      assert.ok((highestUid ?? 0) <= stored.length, `the cursor at ${highestUid} with only ${stored.join(', ')} stored`);
    }
    assert.deepEqual((await listInboxItems(ts.store.db, { profileId: profile.id })).map((i) => i.subject), ['n1', 'n2', 'n3', 'n4', 'n5', 'n7', 'n6']);
    assert.deepEqual(readCursor((await getStatus(ts.store.db, profile.id)).cursor)?.highestUid, 7);
  });

  test('two of them: each fails two polls, then is downloaded last, over a connection of its own; the mail after them flows, each is reported, and taken once readable', async () => {
    for (const i of [1, 2, 3, 4, 5, 6]) await dc.deliver('u1', makeMessage({ subject: `m${i}` }));
    const unreadable = await makeUnreadable('u1', /Subject: m[24]\r\n/);

    const profile = await newProfile(ts.store);
    const settings = settingsFor(dc, 'u1', { tls: 'none', afterImport: { kind: 'seen' } });
    const source = new ImapSource(sourceOptions(dc));
    let log = memoryLog();
    const poll = () => {
      log = memoryLog();
      return source.poll(context(ts.store, profile, settings, { afterIntake: recordAll(ts.store, profile.id), logger: log.logger }));
    };
    // The UID sets of this poll's FETCHes of message bytes, in order (a message streamed alone: its UID).
    const fetched = () => [...new Set(log.records
      .filter((r) => r.src === 'c' && typeof r.msg === 'string')
      .map((r) => /UID FETCH (\S+) \(.*BODY\.PEEK\[\]/.exec(r.msg as string)?.[1])
      .filter((set): set is string => !!set))];
    const subjects = async () => (await listInboxItems(ts.store.db, { profileId: profile.id })).map((i) => i.subject);
    const cursor = async () => {
      const c = readCursor((await getStatus(ts.store.db, profile.id)).cursor);
      return { highestUid: c?.highestUid, suspects: c?.suspects };
    };
    const failedUids = (report: { failed: Array<{ key: string }> }) => report.failed.map((f) => Number(f.key.split(':').at(-1)));

    await assert.rejects(poll(), /connection was lost while downloading UID 2/);
    assert.deepEqual([await subjects(), fetched()], [['m1'], ['1:6']]);
    assert.deepEqual(await cursor(), { highestUid: 1, suspects: [{ uid: 2, losses: 1 }] });

    // Alone, in its place: a connection cut once by the network costs no more than that, the mail in UID order.
    await assert.rejects(poll(), /connection was lost while downloading UID 2/);
    assert.deepEqual([await subjects(), fetched()], [['m1'], ['2']]);
    assert.deepEqual(await cursor(), { highestUid: 1, suspects: [{ uid: 2, losses: 2 }] });

    // m2 now waits until last; the batch after it meets m4.
    await assert.rejects(poll(), /connection was lost while downloading UID 4/);
    assert.deepEqual([await subjects(), fetched()], [['m1', 'm3'], ['3:6']]);
    assert.deepEqual(await cursor(), { highestUid: 1, suspects: [{ uid: 2, losses: 2 }, { uid: 4, losses: 1 }] });

    await assert.rejects(poll(), /connection was lost while downloading UID 4/);
    assert.deepEqual([await subjects(), fetched()], [['m1', 'm3'], ['4']]);
    assert.deepEqual(await cursor(), { highestUid: 1, suspects: [{ uid: 2, losses: 2 }, { uid: 4, losses: 2 }] });

    const fifth = await poll();
    assert.deepEqual([fifth.stored, failedUids(fifth), fetched()], [2, [2, 4], ['5:6', '2', '4']]);
    for (const f of fifth.failed) assert.match(f.error, /connection was lost while downloading UID [24]/);
    assert.deepEqual(await subjects(), ['m1', 'm3', 'm5', 'm6']);
    assert.equal(fifth.acknowledged, 4, 'the others are acknowledged over a new connection');
    assert.deepEqual(await cursor(), { highestUid: 1, suspects: [{ uid: 2, losses: 2 }, { uid: 4, losses: 2 }] });

    await dc.deliver('u1', makeMessage({ subject: 'm7' }));
    const sixth = await poll();
    assert.deepEqual([sixth.stored, failedUids(sixth), fetched()], [1, [2, 4], ['7', '2', '4']]);
    assert.deepEqual(await cursor(), { highestUid: 1, suspects: [{ uid: 2, losses: 2 }, { uid: 4, losses: 2 }] });

    for (const file of unreadable) await chmod(file, 0o600);
    const seventh = await poll();
    assert.deepEqual([seventh.stored, seventh.failed], [2, []]);
    assert.deepEqual(await subjects(), ['m1', 'm3', 'm5', 'm6', 'm7', 'm2', 'm4']);
    assert.deepEqual(await cursor(), { highestUid: 7, suspects: undefined });
    assert.ok((await serverMessages(dc, 'u1')).every((m) => m.flags.includes('\\Seen')), 'every message acknowledged');
  });
  test('the next suspect downloaded last cannot connect again: the poll keeps what it stored, reports the suspect it tried and the one it could not, and the next poll marks the mail', async () => {
    for (const i of [1, 2, 3, 4, 5]) await dc.deliver('u3', makeMessage({ subject: `k${i}` }));
    await makeUnreadable('u3', /Subject: k[24]\r\n/);
    const profile = await newProfile(ts.store);
    // As two polls each that lost the connection on UIDs 2 and 4 leave the cursor.
    const uidValidity = /uidvalidity=(\d+)/.exec(await dc.doveadm(['mailbox', 'status', '-u', 'u3', 'uidvalidity', 'INBOX']))![1]!;
    const suspects = [{ uid: 2, losses: 2 }, { uid: 4, losses: 2 }];
    await writeCursor(ts.store.db, profile.id, { folder: 'INBOX', uidValidity, highestUid: 0, suspects });
    await updateStatus(ts.store.db, profile.id, { baselineAt: new Date().toISOString() });
    // The poll's own connection passes; every one after it is closed at once (a server that takes no more).
    const proxy = await startProxy({ targetPort: dc.ports.imap });
    try {
      proxy.refuseAfter(1);
      const settings = { ...settingsFor(dc, 'u3', { tls: 'none', afterImport: { kind: 'seen' } }), host: proxy.host, port: proxy.port };
      const log = memoryLog();
      const poll = () => new ImapSource(sourceOptions(dc)).poll(context(ts.store, profile, settings, { afterIntake: recordAll(ts.store, profile.id), logger: log.logger }));
      const report = await poll();
      // Two refused: for UID 4, and to mark the three processed messages seen.
      assert.equal(proxy.accepted, 3);
      assert.deepEqual([report.stored, report.acknowledged], [3, 0]);
      assert.equal(log.find('could not connect again to mark, move or delete the processed mail; the next poll does it', 40).length, 1);
      assert.deepEqual(report.failed.map((f) => Number(f.key.split(':').at(-1))), [2, 4]);
      assert.match(report.failed[0]!.error, /^the connection was lost while downloading UID 2/);
      assert.match(report.failed[1]!.error, /^not tried this poll: connecting again, after the server ended the connection on the message before it, failed: \S/);
      assert.deepEqual((await listInboxItems(ts.store.db, { profileId: profile.id })).map((i) => i.subject), ['k1', 'k3', 'k5']);
      const cursor = readCursor((await getStatus(ts.store.db, profile.id)).cursor);
      assert.deepEqual([cursor?.highestUid, cursor?.suspects], [1, suspects], 'both stay below the cursor, tried again by the next poll');
      assert.ok((await serverMessages(dc, 'u3')).every((m) => !m.flags.includes('\\Seen')), 'nothing marked yet');

      // The server takes connections again: the next poll marks them (the two still cannot be read).
      proxy.passThrough();
      const next = await poll();
      assert.deepEqual([next.stored, next.acknowledged, next.failed.length], [0, 3, 2]);
      const seen = (await serverMessages(dc, 'u3')).filter((m) => m.flags.includes('\\Seen')).map((m) => m.uid);
      assert.deepEqual(seen, [1, 3, 5]);
    } finally {
      await proxy.close();
    }
  });
});
