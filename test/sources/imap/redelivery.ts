// Shared by redelivery-sqlite.test.ts and redelivery-postgres.test.ts (one file per dialect keeps each
// file's run time well under the per-file budget on a small machine).
//
// The same mail delivered again into a real Dovecot mailbox (new UIDs: a failover, a user moving mail back,
// To and Cc the same mailbox), on SQLite and PostgreSQL with the real engine: every copy becomes a visible
// ignored item naming the first, acknowledged as other ignored mail is (afterOther), and never a second
// request. A first poll cut off half way and copies delivered afterwards: nothing is skipped silently.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { dialects, openTestStore, type TestDialect, type TestStore } from '../../support/store.js';
import { makeMessage } from '../../support/messages.js';
import { processorFor } from '../../support/processor.js';
import { startProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { ImapSource } from '../../../src/sources/imap/index.js';
import { listInboxItems } from '../../../src/store/inbox.js';
import { createProfile, type Profile } from '../../../src/store/profiles.js';
import { DEFAULT_THREADING } from '../../../src/store/threading-settings.js';
import { addProject } from '../../../src/tracker/builtin/admin.js';
import type { Store } from '../../../src/store/database.js';
import { context, serverMessages, settingsFor, sourceOptions, users } from './helpers.js';

const COPIES = 200;

export async function redeliveryTests(dialect: TestDialect): Promise<void> {
  // dialects() throws when PostgreSQL is required (CI) but not reachable.
  const skip = dovecotSkip() || ((await dialects()).includes(dialect) ? false : `${dialect} is not available`);
describe(`the same mail delivered again, against Dovecot, on ${dialect}`, { skip }, () => {
  let dc: Dovecot;
  let proxy: TcpProxy;
  let nextUser = 0;
  const user = () => `d${++nextUser}`;
  before(async () => {
    dc = await startDovecot({ users: users('d', 6) });
    proxy = await startProxy({ targetPort: dc.ports.imap });
  });
  after(async () => {
    await proxy?.close();
    await dc?.stop();
  });

  {
    describe(dialect, () => {
      let ts: TestStore;
      let n = 0;
      before(async () => {
        ts = await openTestStore(dialect);
        await addProject(ts.store.db, { name: 'General' });
      });
      after(() => ts?.cleanup());

      // 200 messages from one sender in a minute: the per-sender rate limit is off, it is not what this tests.
      const newProfile = (): Promise<Profile> => createProfile(ts.store.db, {
        name: `dup-imap-${++n}`, rules: 'then attach to project 1 and create request in project 1',
        threading: { ...DEFAULT_THREADING, rateLimitPerSenderHour: 0 },
      });
      const requests = async (store: Store) =>
        Number((await store.db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const poll = (profile: Profile, settings: ReturnType<typeof settingsFor>) => {
        const processor = processorFor(ts.store);
        return new ImapSource(sourceOptions(dc)).poll(context(ts.store, profile, settings, {
          afterIntake: async () => void (await processor.processDue({ profileId: profile.id })),
        }));
      };

      test(`${COPIES} messages delivered again: ${COPIES} ignored duplicates naming the first, acknowledged per afterOther, no request`, async () => {
        const u = user();
        const raws = Array.from({ length: COPIES }, (_, i) => makeMessage({ subject: `request ${i + 1}`, body: `text ${i + 1}` }));
        for (const raw of raws) await dc.deliver(u, raw);
        const profile = await newProfile();
        const settings = settingsFor(dc, u, { afterImport: { kind: 'seen' }, afterOther: { kind: 'move', folder: 'Other' } });
        assert.equal((await poll(profile, settings)).stored, COPIES);
        const originals = await listInboxItems(ts.store.db, { profileId: profile.id });
        assert.ok(originals.every((i) => i.outcome === 'imported'));
        const made = await requests(ts.store);

        for (const raw of raws) await dc.deliver(u, raw);
        // Same Message-ID, other bytes: new mail, imported, with a note.
        const reusedId = /Message-ID: <([^>]+)>/.exec(raws[0]!.toString())![1]!;
        await dc.deliver(u, makeMessage({ subject: 'request 1 (edited)', messageId: reusedId }));
        const report = await poll(profile, settings);
        assert.deepEqual([report.stored, report.acknowledged], [COPIES + 1, COPIES + 1]);

        const items = await listInboxItems(ts.store.db, { profileId: profile.id });
        const copies = items.slice(COPIES, 2 * COPIES);
        assert.deepEqual(copies.map((i) => [i.subject, i.outcome, i.reason, i.ackAction]),
          originals.map((o) => [o.subject, 'ignored', `duplicate of message #${o.id}`, 'move:Other']));
        const edited = items[2 * COPIES]!;
        assert.deepEqual([edited.outcome, edited.ackAction], ['imported', 'seen']);
        assert.ok((edited.trace as { warnings: string[] }).warnings
          .includes(`Message-ID also used by message #${originals[0]!.id} with different content`));
        assert.equal(await requests(ts.store), made + 1, 'only the edited message made a request');
        // On the server: the originals and the edited one seen in INBOX, the copies moved away.
        assert.equal((await serverMessages(dc, u)).filter((m) => m.flags.includes('\\Seen')).length, COPIES + 1);
        assert.equal((await serverMessages(dc, u, 'Other')).length, COPIES);
        assert.deepEqual(await ts.store.db.selectFrom('source_known').select('why').where('profile_id', '=', profile.id).execute(), []);
      });
    });
  }

  if (dialect === 'sqlite') test('a first poll cut off half way, then copies delivered again: every message taken is in the inbox', async () => {
    const ts = await openTestStore('sqlite');
    try {
      const u = user();
      const raws = Array.from({ length: 40 }, (_, i) => makeMessage({ subject: `m ${i + 1}`, body: 'x'.repeat(20_000) + i }));
      for (const raw of raws) await dc.deliver(u, raw);
      const profile = await createProfile(ts.store.db, { name: 'cut-then-copies', rules: '' });
      const settings = settingsFor(dc, u, { tls: 'none', port: proxy.port, afterOther: { kind: 'seen' } });
      const processor = processorFor(ts.store);
      const pollOnce = () => new ImapSource(sourceOptions(dc, { batchMessages: 5 })).poll(context(ts.store, profile, settings, {
        afterIntake: async () => void (await processor.processDue({ profileId: profile.id })),
      }));
      proxy.cutAfterBytes(400_000);
      try {
        await assert.rejects(pollOnce(), /connection was lost/);
      } finally {
        proxy.passThrough();
      }
      const partial = await listInboxItems(ts.store.db, { profileId: profile.id });
      assert.ok(partial.length > 0 && partial.length < raws.length, `stored ${partial.length}`);
      assert.ok(partial.every((i) => i.outcome !== null), 'what the cut poll stored was processed');
      for (const raw of raws.slice(0, 10)) await dc.deliver(u, raw);
      await pollOnce();
      const items = await listInboxItems(ts.store.db, { profileId: profile.id });
      const onServer = await serverMessages(dc, u);
      assert.equal(onServer.length, raws.length + 10);
      assert.equal(items.length, onServer.length, 'every server message has an item');
      assert.deepEqual(items.filter((i) => i.reason?.startsWith('duplicate of')).length, 10);
      assert.ok(onServer.every((m) => m.flags.includes('\\Seen')), 'every message acknowledged');
      assert.deepEqual(await ts.store.db.selectFrom('source_known').select('why').where('profile_id', '=', profile.id).execute(), []);
    } finally {
      await ts.cleanup();
    }
  });
});
}
