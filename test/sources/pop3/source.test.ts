// The POP3 source against a real Dovecot, with the real store (SQLite and PostgreSQL) and the real
// engine as the processing step: first-run policies, exactly-once intake, after-processing actions,
// too-large mail, wrong passwords, and a connection cut in the middle of RETR.
import { describe, test, before, after, beforeEach } from 'node:test';
import { processorFor } from '../../support/processor.js';
import assert from 'node:assert/strict';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { startProxy } from '../../support/tcp-proxy.js';
import { dialects, openTestStore, type TestStore } from '../../support/store.js';
import { hugeHeaderMessage, makeMessage } from '../../support/messages.js';
import { MAX_HEADER_BYTES } from '../../../src/mail/header-scan.js';
import { Pop3Source } from '../../../src/sources/pop3/source.js';
import { resolveSettings, validateSettings, type ResolvedSettings } from '../../../src/sources/settings.js';
import { createProfile, type Profile } from '../../../src/store/profiles.js';
import { listInboxItems } from '../../../src/store/inbox.js';
import { Processor } from '../../../src/engine/process.js';
import { addProject } from '../../../src/tracker/builtin/admin.js';
import type { PollReport } from '../../../src/sources/source.js';

const skip = dovecotSkip();

for (const dialect of skip ? ['sqlite' as const] : await dialects()) {
  describe(`POP3 source on ${dialect}`, { skip }, () => {
    let dc: Dovecot;
    let t: TestStore;
    let n = 0;

    before(async () => {
      dc = await startDovecot();
      t = await openTestStore(dialect);
      await addProject(t.store.db, { name: 'General' });
    });
    after(async () => {
      await t?.cleanup();
      await dc?.stop();
    });
    beforeEach(async () => {
      await dc.doveadm(['expunge', '-u', 'alice', 'mailbox', 'INBOX', 'all']);
    });

    function settings(extra: Record<string, unknown> = {}): ResolvedSettings {
      const valid = validateSettings({ protocol: 'pop3', host: '127.0.0.1', port: dc.ports.pop3s, tls: 'tls', login: 'alice', password: 'x', ...extra });
      return resolveSettings(valid, (extra.password as string | undefined) ?? 'alicepw');
    }

    async function profile(extra: Record<string, unknown> = {}): Promise<Profile> {
      return createProfile(t.store.db, {
        name: `pop-${++n}`,
        rules: 'then attach to project 1 and create request in project 1',
        source: validateSettings({ protocol: 'pop3', host: '127.0.0.1', login: 'alice', password: 'sealed', ...extra }),
      });
    }

    async function poll(p: Profile, s: ResolvedSettings, extras = {}): Promise<PollReport> {
      const processor = processorFor(t.store);
      return new Pop3Source({ ca: dc.caCert, timeoutMs: 5000, ...extras }).poll({
        store: t.store,
        profile: p,
        settings: s,
        afterIntake: async () => void (await processor.processDue({ profileId: p.id })),
      });
    }

    async function count(): Promise<number> {
      const out = await dc.doveadm(['mailbox', 'status', '-u', 'alice', 'messages', 'INBOX']);
      return Number(/messages=(\d+)/.exec(out)?.[1]);
    }

    test('first run from-now leaves old mail alone; new mail is imported exactly once', async () => {
      await dc.deliver('alice', makeMessage({ subject: 'old one' }));
      await dc.deliver('alice', makeMessage({ subject: 'old two' }));
      const p = await profile();
      const first = await poll(p, settings());
      assert.deepEqual([first.listed, first.stored, first.skipped], [2, 0, 2]);
      await dc.deliver('alice', makeMessage({ subject: 'new one' }));
      const second = await poll(p, settings());
      assert.deepEqual([second.listed, second.stored], [3, 1]);
      const third = await poll(p, settings());
      assert.equal(third.stored, 0);
      const items = await listInboxItems(t.store.db, { profileId: p.id });
      assert.deepEqual(items.map((i) => [i.subject, i.outcome, i.ackState]), [['new one', 'imported', 'done']]);
      assert.equal(await count(), 3, 'leave keeps every message on the server');
    });

    test('first run all takes everything; since:DATE only mail dated on or after it', async () => {
      await dc.deliver('alice', makeMessage({ subject: 'ancient', date: 'Mon, 01 Jan 2024 10:00:00 +0000' }));
      await dc.deliver('alice', makeMessage({ subject: 'recent', date: 'Tue, 24 Nov 2026 10:00:00 +0000' }));
      const all = await profile();
      assert.equal((await poll(all, settings({ firstRun: 'all' }))).stored, 2);
      const since = await profile();
      const report = await poll(since, settings({ firstRun: 'since:2025-01-01' }));
      assert.deepEqual([report.stored, report.skipped], [1, 1]);
      assert.deepEqual((await listInboxItems(t.store.db, { profileId: since.id })).map((i) => i.subject), ['recent']);
    });

    test('delete after import: DELE only after the outcome is recorded, committed by QUIT', async () => {
      const p = await profile();
      await poll(p, settings({ afterImport: 'delete' }));
      await dc.deliver('alice', makeMessage({ subject: 'to delete' }));
      const report = await poll(p, settings({ afterImport: 'delete' }));
      assert.deepEqual([report.stored, report.acknowledged], [1, 1]);
      assert.equal(await count(), 0);
      const [item] = await listInboxItems(t.store.db, { profileId: p.id });
      assert.deepEqual([item?.outcome, item?.ackState, item?.ackAction], ['imported', 'done', 'delete']);
    });

    test('the same message delivered again is a visible duplicate, deleted per after-other, no second request', async () => {
      const raw = makeMessage({ subject: 'sent To and Cc' });
      await dc.deliver('alice', raw);
      await dc.deliver('alice', raw);
      const p = await profile({ firstRun: 'all' });
      const report = await poll(p, settings({ firstRun: 'all', afterImport: 'leave', afterOther: 'delete' }));
      assert.deepEqual([report.stored, report.acknowledged], [2, 2]);
      const [first, copy] = await listInboxItems(t.store.db, { profileId: p.id });
      assert.deepEqual([first!.outcome, first!.ackAction], ['imported', 'leave']);
      assert.deepEqual([copy!.outcome, copy!.reason, copy!.ackAction], ['ignored', `duplicate of message #${first!.id}`, 'delete']);
      assert.equal(first!.created.requests?.length, 1);
      assert.equal(await count(), 1);
    });

    test('a message over the size limit is recorded as too large with its headers, not downloaded', async () => {
      const p = await profile();
      await poll(p, settings());
      await dc.deliver('alice', makeMessage({ subject: 'big one', body: 'x'.repeat(200_000) }));
      const report = await poll(p, settings({ maxMessageBytes: 100_000, afterOther: 'delete' }));
      assert.equal(report.stored, 1);
      const [item] = await listInboxItems(t.store.db, { profileId: p.id });
      assert.deepEqual([item?.ackState, item?.ackAction], ['done', 'leave'], 'only headers were stored: never deleted');
      assert.equal(await count(), 1);
      assert.equal(item?.outcome, 'ignored');
      assert.match(item?.reason ?? '', /^too large: \d{6} bytes, the limit is 100000$/);
      assert.equal(item?.subject, 'big one');
      assert.ok((item?.rawSize ?? 0) < 2000, 'only the headers were stored');
    });

    test('a message over the size limit whose header alone is 2 MB keeps only the header\'s first 256 KiB, and the session goes on', async () => {
      const p = await profile();
      await poll(p, settings());
      await dc.deliver('alice', hugeHeaderMessage('all header', 2_000_000));
      await dc.deliver('alice', makeMessage({ subject: 'after it' }));
      const report = await poll(p, settings({ maxMessageBytes: 100_000 }));
      assert.deepEqual([report.stored, report.failed.length], [2, 0]);
      const [item, next] = await listInboxItems(t.store.db, { profileId: p.id });
      assert.equal(item?.outcome, 'ignored');
      assert.match(item?.reason ?? '', /^too large: 2\d{6} bytes, the limit is 100000$/);
      assert.deepEqual([item?.subject, item?.fromAddress], ['all header', 'Alice Example <alice@example.com>']);
      assert.equal(item?.rawSize, MAX_HEADER_BYTES, 'the header was kept only up to the bound');
      assert.deepEqual([next?.subject, next?.outcome], ['after it', 'imported']);
    });

    test('a 1,000-message mailbox is taken whole, exactly once', async () => {
      const p = await profile();
      for (let i = 0; i < 1000; i++) await dc.deliver('alice', makeMessage({ subject: `bulk ${i}`, messageId: `bulk-${i}@example.com` }));
      const first = await new Pop3Source({ ca: dc.caCert }).poll({ store: t.store, profile: p, settings: settings({ firstRun: 'all' }) });
      assert.deepEqual([first.listed, first.stored, first.failed.length], [1000, 1000, 0]);
      const second = await new Pop3Source({ ca: dc.caCert }).poll({ store: t.store, profile: p, settings: settings({ firstRun: 'all' }) });
      assert.equal(second.stored, 0);
      assert.equal((await listInboxItems(t.store.db, { profileId: p.id })).length, 1000);
    });

    test('a wrong password fails the poll with a clear error and stores nothing', async () => {
      const p = await profile();
      await assert.rejects(poll(p, settings({ password: 'wrong' })), (error: Error) => {
        assert.match(error.message, /login or password|Authentication failed/i);
        assert.doesNotMatch(error.message, /wrong/);
        return true;
      });
    });

    test('a connection cut mid-RETR loses nothing and duplicates nothing after recovery', async () => {
      const p = await profile();
      await poll(p, settings());
      for (let i = 0; i < 3; i++) await dc.deliver('alice', makeMessage({ subject: `cut ${i}`, body: 'y'.repeat(40_000) }));
      const proxy = await startProxy({ targetPort: dc.ports.pop3 });
      try {
        const viaProxy = settings({ tls: 'none', port: proxy.port });
        proxy.cutAfterBytes(60_000); // greeting, listings and about half of the second message
        const broken = await poll(p, viaProxy).catch((error: Error) => error);
        const storedAfterCut = await listInboxItems(t.store.db, { profileId: p.id });
        assert.ok(storedAfterCut.length < 3, `the cut stopped intake (${storedAfterCut.length} stored)`);
        for (const item of storedAfterCut) assert.ok(item.rawSize > 40_000, 'no truncated message was stored');
        if (!(broken instanceof Error)) assert.ok(broken.failed.length > 0);
        proxy.passThrough();
        await poll(p, viaProxy);
        await poll(p, viaProxy);
        const subjects = (await listInboxItems(t.store.db, { profileId: p.id })).map((i) => i.subject).sort();
        assert.deepEqual(subjects, ['cut 0', 'cut 1', 'cut 2']);
      } finally {
        await proxy.close();
      }
    });

    test('a stalled server times out instead of hanging', async () => {
      const p = await profile();
      const proxy = await startProxy({ targetPort: dc.ports.pop3 });
      try {
        proxy.stall();
        // The message names the 500 ms timeout: that, not the test's own limit, ended the poll.
        await assert.rejects(poll(p, settings({ tls: 'none', port: proxy.port }), { timeoutMs: 500 }), /no response from the server within 500 ms/);
      } finally {
        await proxy.close();
      }
    });
  });
}
