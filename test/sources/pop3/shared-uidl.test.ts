// A POP3 server that gives one UIDL to several messages (Dovecot with pop3_uidl_format = %08Xv and its
// default pop3_uidl_duplicates = allow). Taking the first would hide the others for good, and deleting
// "the" message of that UIDL may delete one never taken: none of them is taken or deleted, and each poll
// reports the UIDL with the messages' numbers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { makeMessage } from '../../support/messages.js';
import { openTestStore, type TestStore } from '../../support/store.js';
import { Pop3Client } from '../../../src/sources/pop3/index.js';
import { pop3OriginKey, Pop3Source } from '../../../src/sources/pop3/source.js';
import { intakeMessage } from '../../../src/sources/intake.js';
import { listInboxItems, recordOutcome } from '../../../src/store/inbox.js';
import { context, newProfile, recordAll, settingsFor } from '../imap/helpers.js';

describe('POP3 messages that share a UIDL', { skip: dovecotSkip() }, () => {
  let dc: Dovecot;
  let ts: TestStore;
  before(async () => {
    [dc, ts] = await Promise.all([
      startDovecot({ users: [
        { user: 'shared', password: 'pw', settings: { pop3_uidl_format: '%08Xv' } },
        { user: 'taken', password: 'pw', settings: { pop3_uidl_format: '%08Xv' } },
      ] }),
      openTestStore('sqlite'),
    ]);
  });
  after(async () => {
    await Promise.all([dc?.stop(), ts?.cleanup()]);
  });

  const settings = (user: string, firstRun: 'all' | 'from-now' = 'all') =>
    settingsFor(dc, user, { protocol: 'pop3', port: dc.ports.pop3s, afterImport: { kind: 'delete' }, firstRun: { kind: firstRun } });
  const source = () => new Pop3Source({ ca: dc.caCert, timeoutMs: 5000 });
  const onServer = async (user: string) => Number(/messages=(\d+)/.exec(await dc.doveadm(['mailbox', 'status', '-u', user, 'messages', 'INBOX']))?.[1]);
  const uidlOf = async (user: string) => {
    const client = await Pop3Client.connect({ host: dc.host, port: dc.ports.pop3, tls: 'none', login: user, password: 'pw' });
    const uidl = await client.uidl();
    await client.quit();
    return uidl;
  };

  test('none is taken or deleted; every poll reports the UIDL and the messages\' numbers', async () => {
    for (const i of [1, 2, 3]) await dc.deliver('shared', makeMessage({ subject: `m${i}` }));
    const uidl = await uidlOf('shared');
    assert.equal(new Set(uidl.map((u) => u.uid)).size, 1, 'control: the server gives all three one UIDL');
    const profile = await newProfile(ts.store);
    for (let poll = 1; poll <= 2; poll++) {
      const report = await source().poll(context(ts.store, profile, settings('shared'), { afterIntake: recordAll(ts.store, profile.id) }));
      assert.deepEqual([report.stored, report.failed.map((f) => f.key)], [0, [pop3OriginKey(settings('shared'), uidl[0]!.uid)]]);
      assert.match(report.failed[0]!.error, /^the server gives this UIDL to 3 messages \(numbers 1, 2, 3\), which then cannot be told apart/);
      assert.deepEqual(await listInboxItems(ts.store.db, { profileId: profile.id }), []);
      assert.equal(await onServer('shared'), 3);
    }
  });

  test('a message taken under a UIDL the server now gives to another as well is not deleted: which one it is, no one can say', async () => {
    await dc.deliver('taken', makeMessage({ subject: 'first' }));
    const [only] = await uidlOf('taken');
    const profile = await newProfile(ts.store);
    // Taken when its UIDL was its own, and processed to delete; then a second message arrives under the same UIDL.
    const key = pop3OriginKey(settings('taken'), only!.uid);
    const { item } = await intakeMessage(ts.store, makeMessage({ subject: 'first' }), { profileId: profile.id, originKey: key, acknowledge: true });
    await recordOutcome(ts.store.db, item.id, { outcome: 'imported', reason: null, ruleLine: null, actions: [], created: {}, trace: null });
    await dc.deliver('taken', makeMessage({ subject: 'second' }));

    const report = await source().poll(context(ts.store, profile, settings('taken')));
    assert.deepEqual([report.stored, report.failed.map((f) => f.key), report.acknowledged], [0, [key], 0]);
    assert.equal(await onServer('taken'), 2, 'neither message was deleted');
    assert.equal((await listInboxItems(ts.store.db, { profileId: profile.id }))[0]!.ackState, 'pending', 'asked again next poll');
  });

  test('a first run from now reports them too: every message to come under that UIDL would be hidden by it', async () => {
    const profile = await newProfile(ts.store);
    for (let poll = 1; poll <= 2; poll++) {
      const report = await source().poll(context(ts.store, profile, settings('shared', 'from-now')));
      assert.deepEqual([report.listed, report.stored, report.skipped, report.failed.length], [3, 0, 0, 1]);
      assert.match(report.failed[0]!.error, /^the server gives this UIDL to 3 messages/);
    }
  });
});
