// ImapSource.poll against a real Dovecot, on SQLite and PostgreSQL: first-run policies, idempotence,
// after-processing actions, and a UIDVALIDITY change that must not import anything twice.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { dialects, openTestStore, type TestStore } from '../../support/store.js';
import { makeMessage } from '../../support/messages.js';
import { ImapSource } from '../../../src/sources/imap/index.js';
import { listInboxItems } from '../../../src/store/inbox.js';
import { getStatus } from '../../../src/sources/status.js';
import type { AfterAction } from '../../../src/sources/settings.js';
import { context, deliverAt, hours, newProfile, recordAll, serverMessages, settingsFor, sourceOptions, users } from './helpers.js';

const skip = dovecotSkip();
const DIALECTS = skip ? [] : await dialects();

describe('ImapSource.poll against Dovecot', { skip }, () => {
  let dc: Dovecot;
  let nextUser = 0;
  const user = () => `p${++nextUser}`;
  before(async () => {
    dc = await startDovecot({ users: users('p', 40) });
  });
  after(() => dc?.stop());

  for (const dialect of DIALECTS) {
    describe(dialect, () => {
      let ts: TestStore;
      before(async () => {
        ts = await openTestStore(dialect);
      });
      after(() => ts?.cleanup());

      test('from-now: mail already there stays alone, new mail is imported once, a second poll stores nothing', async () => {
        const u = user();
        await deliverAt(dc, u, makeMessage({ subject: 'old 1' }), hours(-2));
        await deliverAt(dc, u, makeMessage({ subject: 'old 2' }), hours(-1));
        const profile = await newProfile(ts.store);
        await dc.deliver(u, makeMessage({ subject: 'new 1' }));
        const settings = settingsFor(dc, u, { firstRun: { kind: 'from-now' } });
        const source = new ImapSource(sourceOptions(dc));

        const first = await source.poll(context(ts.store, profile, settings));
        assert.deepEqual(first, { listed: 3, stored: 1, skipped: 2, failed: [], acknowledged: 0 });
        const items = await listInboxItems(ts.store.db, { profileId: profile.id });
        assert.deepEqual(items.map((i) => i.subject), ['new 1']);
        assert.match(items[0]!.originKey, /^imap:INBOX:\d+:3$/);
        const known = await ts.store.db.selectFrom('source_known').select(['origin_key', 'why'])
          .where('profile_id', '=', profile.id).execute();
        assert.deepEqual(known.map((k) => k.why), ['first-run', 'first-run']);
        const status = await getStatus(ts.store.db, profile.id);
        assert.ok(status.baselineAt);
        assert.equal(status.cursor?.highestUid, 3);
        assert.equal(typeof status.cursor?.uidValidity, 'string');

        const second = await source.poll(context(ts.store, profile, settings));
        assert.equal(second.stored, 0);
        assert.equal((await listInboxItems(ts.store.db, { profileId: profile.id })).length, 1);

        await dc.deliver(u, makeMessage({ subject: 'new 2' }));
        const third = await source.poll(context(ts.store, profile, settings));
        assert.equal(third.stored, 1);
        assert.deepEqual((await listInboxItems(ts.store.db, { profileId: profile.id })).map((i) => i.subject), ['new 1', 'new 2']);
        // Nothing was read: downloads use BODY.PEEK.
        assert.ok((await serverMessages(dc, u)).every((m) => !m.flags.includes('\\Seen')));
      });

      test('since:date takes mail received from that date on; all takes everything', async () => {
        const u1 = user();
        await deliverAt(dc, u1, makeMessage({ subject: '2020' }), new Date('2020-06-01T12:00:00Z'));
        await deliverAt(dc, u1, makeMessage({ subject: '2025' }), new Date('2025-06-01T12:00:00Z'));
        const p1 = await newProfile(ts.store);
        const since = await new ImapSource(sourceOptions(dc)).poll(context(ts.store, p1,
          settingsFor(dc, u1, { firstRun: { kind: 'since', date: '2024-01-01' } })));
        assert.deepEqual([since.stored, since.skipped], [1, 1]);
        assert.deepEqual((await listInboxItems(ts.store.db, { profileId: p1.id })).map((i) => i.subject), ['2025']);

        const u2 = user();
        await deliverAt(dc, u2, makeMessage({ subject: 'a' }), new Date('2020-06-01T12:00:00Z'));
        await deliverAt(dc, u2, makeMessage({ subject: 'b' }), hours(-1));
        const p2 = await newProfile(ts.store);
        await dc.deliver(u2, makeMessage({ subject: 'c' }));
        const all = await new ImapSource(sourceOptions(dc)).poll(context(ts.store, p2, settingsFor(dc, u2, { firstRun: { kind: 'all' } })));
        assert.deepEqual([all.stored, all.skipped], [3, 0]);
      });

      const actions: Array<[string, AfterAction]> = [
        ['leave', { kind: 'leave' }],
        ['seen', { kind: 'seen' }],
        ['move:Archive', { kind: 'move', folder: 'Archive' }],
        ['delete', { kind: 'delete' }],
      ];
      for (const [name, action] of actions) {
        test(`after processing: ${name}`, async () => {
          const u = user();
          await dc.deliver(u, makeMessage({ subject: 'one' }));
          await dc.deliver(u, makeMessage({ subject: 'two' }));
          const profile = await newProfile(ts.store);
          const settings = settingsFor(dc, u, { afterImport: action, afterOther: action });
          const source = new ImapSource(sourceOptions(dc));
          const report = await source.poll(context(ts.store, profile, settings, { afterIntake: recordAll(ts.store, profile.id) }));
          assert.deepEqual([report.stored, report.acknowledged], [2, 2]);
          const items = await listInboxItems(ts.store.db, { profileId: profile.id });
          assert.deepEqual(items.map((i) => [i.ackState, i.ackAction]), [['done', name], ['done', name]]);

          const inbox = await serverMessages(dc, u);
          if (name === 'leave') assert.deepEqual(inbox.map((m) => m.flags.includes('\\Seen')), [false, false]);
          if (name === 'seen') assert.deepEqual(inbox.map((m) => m.flags.includes('\\Seen')), [true, true]);
          if (name === 'move:Archive' || name === 'delete') assert.equal(inbox.length, 0);
          if (name === 'move:Archive') assert.equal((await serverMessages(dc, u, 'Archive')).length, 2);

          const again = await source.poll(context(ts.store, profile, settings, { afterIntake: recordAll(ts.store, profile.id) }));
          assert.deepEqual([again.stored, again.acknowledged], [0, 0]);
        });
      }

      test('nothing is acknowledged before its outcome is recorded, and downloading never marks mail seen', async () => {
        const u = user();
        await dc.deliver(u, makeMessage({ subject: 'one' }));
        const profile = await newProfile(ts.store);
        // 'seen' opens the folder read-write, so only BODY.PEEK keeps the message unread here.
        const settings = settingsFor(dc, u, { afterImport: { kind: 'seen' }, afterOther: { kind: 'seen' } });
        const source = new ImapSource(sourceOptions(dc));
        const report = await source.poll(context(ts.store, profile, settings));
        assert.deepEqual([report.stored, report.acknowledged], [1, 0]);
        assert.deepEqual((await serverMessages(dc, u)).map((m) => m.flags.includes('\\Seen')), [false]);
        const later = await source.poll(context(ts.store, profile, settings, { afterIntake: recordAll(ts.store, profile.id, 'skipped') }));
        assert.deepEqual([later.stored, later.acknowledged], [0, 1]);
        assert.deepEqual((await serverMessages(dc, u)).map((m) => m.flags.includes('\\Seen')), [true]);
      });

      test('after a UIDVALIDITY change old mail comes back as visible duplicates, never as new work', async () => {
        const u = user();
        const reused = makeMessage({ subject: 'reused id', messageId: `reused-${u}@example.com` });
        await dc.deliver(u, makeMessage({ subject: 'one' }));
        await dc.deliver(u, makeMessage({ subject: 'no id', messageId: null }));
        await dc.deliver(u, reused);
        const profile = await newProfile(ts.store);
        const settings = settingsFor(dc, u, { afterImport: { kind: 'seen' }, afterOther: { kind: 'seen' } });
        const source = new ImapSource(sourceOptions(dc));
        assert.equal((await source.poll(context(ts.store, profile, settings))).stored, 3);
        const firstIds = (await listInboxItems(ts.store.db, { profileId: profile.id })).map((i) => i.id);

        await dc.doveadm(['mailbox', 'update', '-u', u, '--uid-validity', '4242', 'INBOX']);
        await dc.deliver(u, makeMessage({ subject: 'after change' }));
        // Same Message-ID, other bytes: a different message, imported, with a note.
        await dc.deliver(u, makeMessage({ subject: 'same id, other text', messageId: `reused-${u}@example.com` }));
        const report = await source.poll(context(ts.store, profile, settings, { afterIntake: recordAll(ts.store, profile.id) }));
        assert.deepEqual([report.listed, report.stored, report.skipped], [5, 5, 0]);
        const items = await listInboxItems(ts.store.db, { profileId: profile.id });
        assert.deepEqual(items.map((i) => i.subject), ['one', 'no id', 'reused id', 'one', 'no id', 'reused id', 'after change', 'same id, other text']);
        assert.ok(items.slice(3).every((i) => i.originKey.startsWith('imap:INBOX:4242:')));
        assert.deepEqual(items.slice(3, 6).map((i) => [i.outcome, i.reason]),
          firstIds.map((id) => ['ignored', `duplicate of message #${id}`]));
        assert.deepEqual(items[7]!.trace, { warnings: [`Message-ID also used by message #${firstIds[2]} with different content`] });
        const known = await ts.store.db.selectFrom('source_known').select('why').where('profile_id', '=', profile.id).execute();
        assert.deepEqual(known, []);
        // Items of the old UIDVALIDITY cannot be addressed any more: settled as leave. The duplicates
        // are acknowledged as other ignored mail is (afterOther: seen).
        assert.deepEqual(items.map((i) => i.ackAction), ['leave', 'leave', 'leave', 'seen', 'seen', 'seen', 'seen', 'seen']);
        assert.deepEqual((await serverMessages(dc, u)).map((m) => m.flags.includes('\\Seen')), [true, true, true, true, true]);

        const again = await source.poll(context(ts.store, profile, settings));
        assert.deepEqual([again.stored, again.skipped], [0, 0]);
      });
    });
  }
});
