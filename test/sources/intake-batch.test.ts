// intakeBatch on SQLite and PostgreSQL: a batch of messages stored with one durability barrier (the
// small ones' bytes with the rows in one commit, a large one's blob file synced before it) and the same
// duplicate rules as one message at a time, within the batch too; a blob file that cannot be stored
// fails alone; a failing beforeCommit stores nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { shardOf, threeShardsApart } from '../support/blob-shards.js';
import { rawInDatabase, storedRaw } from '../support/raw-bytes.js';
import { intakeBatch, intakeMessage } from '../../src/sources/intake.js';
import { createProfile } from '../../src/store/profiles.js';
import { listInboxItems } from '../../src/store/inbox.js';
import { RAW_IN_DATABASE_MAX_BYTES } from '../../src/store/raw-messages.js';
import { syncCounts, syncsSince } from '../../src/store/sync-counts.js';

/** A message over RAW_IN_DATABASE_MAX_BYTES: a blob file of its own. */
const large = (subject: string) => makeMessage({ subject, body: randomBytes(36_000).toString('hex').replace(/.{76}/g, '$&\r\n') });

for (const dialect of await dialects()) {
  describe(`intakeBatch on ${dialect}`, () => {
    let t: TestStore;
    let n = 0;
    before(async () => {
      t = await openTestStore(dialect);
    });
    after(() => t?.cleanup());
    const newProfile = async () => (await createProfile(t.store.db, { name: `batch-${++n}`, rules: '' })).id;

    test('messages are stored in order with one commit; the same bytes twice make one duplicate, a reused Message-ID is noted, a known key is nothing new', async () => {
      const profileId = await newProfile();
      const known = makeMessage({ subject: 'known' });
      await intakeMessage(t.store, known, { profileId, originKey: 'k0' });
      const a = makeMessage({ subject: 'a', messageId: 'a@x' });
      const reused = makeMessage({ subject: 'a again, edited', messageId: 'a@x' });
      const noId = makeMessage({ subject: 'no id', messageId: null });
      const batch = [
        { content: a, originKey: 'k1' }, { content: a, originKey: 'k2' }, { content: reused, originKey: 'k3' },
        { content: noId, originKey: 'k4' }, { content: noId, originKey: 'k5' }, { content: known, originKey: 'k0' },
      ];
      const before = syncCounts();
      const results = await intakeBatch(t.store, batch, { profileId, acknowledge: true });
      const syncs = syncsSince(before);
      assert.deepEqual([syncs.fileSyncs, syncs.dirSyncs], [0, 0], 'small messages: no file of their own');
      if (dialect === 'sqlite') assert.equal(syncs.commits, 1, 'one transaction for the whole batch, bytes included');
      assert.deepEqual(results.map((r) => ('error' in r ? 'error' : r.inserted)), [true, true, true, true, true, false]);

      const items = await listInboxItems(t.store.db, { profileId });
      const id = (key: string) => items.find((i) => i.originKey === key)!.id;
      assert.deepEqual(items.map((i) => [i.originKey, i.reason, i.ackState]), [
        ['k0', null, null], ['k1', null, 'pending'], ['k2', `duplicate of message #${id('k1')}`, 'pending'],
        ['k3', null, 'pending'], ['k4', null, 'pending'], ['k5', `duplicate of message #${id('k4')}`, 'pending'],
      ]);
      assert.deepEqual((items.find((i) => i.originKey === 'k3')!.trace as { warnings: string[] }).warnings,
        [`Message-ID also used by message #${id('k1')} with different content`]);
      const contentOf = new Map(batch.map((m) => [m.originKey, m.content]));
      for (const item of items) assert.deepEqual(await storedRaw(t.store, item), contentOf.get(item.originKey), `${item.originKey} stored whole`);
      const rows = await t.store.db.selectFrom('raw_messages').select('ref').where('ref', 'in', items.map((i) => i.rawRef)).execute();
      assert.equal(rows.length, 4, 'the same bytes are one row');
    });

    test('a batch of small and large messages: the large ones are files, synced before the one commit', async () => {
      const profileId = await newProfile();
      const raws = [makeMessage({ subject: 'small one' }), large('large one'), makeMessage({ subject: 'small two' }), large('large two')];
      assert.deepEqual(raws.map((raw) => raw.length > RAW_IN_DATABASE_MAX_BYTES), [false, true, false, true]);
      const before = syncCounts();
      const results = await intakeBatch(t.store, raws.map((content, i) => ({ content, originKey: `m${i}` })), { profileId });
      const syncs = syncsSince(before);
      assert.ok(results.every((r) => !('error' in r) && r.inserted));
      assert.equal(syncs.fileSyncs, 2, 'a file each for the large ones');
      if (dialect === 'sqlite') assert.equal(syncs.commits, 1);
      const items = await listInboxItems(t.store.db, { profileId });
      assert.deepEqual(await Promise.all(items.map((item) => rawInDatabase(t.store, item))), [true, false, true, false]);
      for (const [i, item] of items.entries()) assert.deepEqual(await storedRaw(t.store, item), raws[i]);
    });

    test('Message-IDs are matched as the database stores them (without NUL), within a batch too', async () => {
      const profileId = await newProfile();
      const results = await intakeBatch(t.store, [
        { content: makeMessage({ subject: 'one', messageId: 'n\u0000ul@x' }), originKey: 'n1' },
        { content: makeMessage({ subject: 'two', messageId: 'nul@x' }), originKey: 'n2' },
      ], { profileId });
      assert.ok(results.every((r) => !('error' in r) && r.inserted));
      const [one, two] = await listInboxItems(t.store.db, { profileId });
      assert.equal(one!.messageId, 'nul@x');
      assert.deepEqual((two!.trace as { warnings: string[] }).warnings, [`Message-ID also used by message #${one!.id} with different content`]);
    });

    test('a blob file that cannot be stored fails alone: the others are stored, and beforeCommit sees the failure', async () => {
      const profileId = await newProfile();
      const taken = new Set(await readdir(path.join(t.dataDir, 'blobs')).catch(() => [] as string[]));
      const raws = threeShardsApart((i) => large(['one', 'two', 'three'][i]!), taken);
      const blocker = path.join(t.dataDir, 'blobs', shardOf(raws[1]));
      await mkdir(path.dirname(blocker), { recursive: true });
      await writeFile(blocker, 'in the way');
      try {
        let seen: string[] = [];
        const results = await intakeBatch(t.store, raws.map((content, i) => ({ content, originKey: `b${i + 1}` })), {
          profileId,
          beforeCommit: async (_db, done) => void (seen = done.map((r) => ('error' in r ? 'error' : 'stored'))),
        });
        assert.deepEqual(seen, ['stored', 'error', 'stored']);
        assert.match((results[1] as { error: Error }).error.message, /EEXIST|ENOTDIR/);
        assert.deepEqual((await listInboxItems(t.store.db, { profileId })).map((i) => i.subject), ['one', 'three']);
        assert.deepEqual(await readdir(path.join(t.dataDir, 'blobs', 'tmp')), [], 'no temp file left behind');
      } finally {
        await rm(blocker);
      }
    });

    test('when beforeCommit fails, none of the batch is in the inbox', async () => {
      const profileId = await newProfile();
      await assert.rejects(intakeBatch(t.store, [{ content: makeMessage(), originKey: 'c1' }, { content: makeMessage(), originKey: 'c2' }], {
        profileId,
        beforeCommit: async () => {
          throw new Error('cursor write failed');
        },
      }), /cursor write failed/);
      assert.deepEqual(await listInboxItems(t.store.db, { profileId }), []);
    });
  });
}
