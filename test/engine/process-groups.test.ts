// Processing in groups (issue 14): a claimed batch is parsed, then decided and recorded in one
// transaction with a savepoint per message, its attachment blobs made durable once before the commit.
// What must hold is what held one message at a time: later messages see earlier ones' work, one
// message's failure is its own, and nothing commits that names a blob not on disk.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { existsSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { shardOf } from '../support/blob-shards.js';
import { processorFor as processorWith } from '../support/processor.js';
import { ParsePool } from '../../src/engine/parsing/parse-pool.js';
import type { ProcessorOptions } from '../../src/engine/process.js';
import { createProfile } from '../../src/store/profiles.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { getInboxItem } from '../../src/store/inbox.js';
import { BlobStore } from '../../src/store/blobs.js';
import { syncCounts, syncsSince } from '../../src/store/sync-counts.js';
import { PARSE_AHEAD_GROUPS, TEMP_BLOB_MAX_AGE_MS } from '../../src/engine/process.js';
import { addProject, listTracker } from '../../src/tracker/builtin/admin.js';
import { BuiltinTracker } from '../../src/tracker/builtin/index.js';
import type { Db, Store } from '../../src/store/database.js';
import type { NewItem, TrackerWriter } from '../../src/tracker/port.js';

/** The builtin tracker, except that making an item named `failing` writes it and then throws. */
class FailingOnName extends BuiltinTracker {
  constructor(db: Db, private readonly failing: string) {
    super(db);
  }

  override writer(transaction: Db): TrackerWriter {
    const writer = super.writer(transaction);
    const createItem = writer.createItem.bind(writer);
    writer.createItem = async (item: NewItem) => {
      const id = await createItem(item);
      if (item.name === this.failing) throw new Error(`the tracker refused '${item.name}'`);
      return id;
    };
    return writer;
  }
}

// Every test runs with parsing on the processing thread and with a parse thread parsing ahead.
for (const [dialect, threads] of (await dialects()).flatMap((d) => [[d, 0], [d, 1]] as const)) {
  describe(`processing in groups on ${dialect}, ${threads ? 'parsed ahead on a parse thread' : 'parsed on the processing thread'}`, () => {
    let t: TestStore;
    let profileId: number;
    let pool: ParsePool | undefined;

    before(async () => {
      t = await openTestStore(dialect);
      await addProject(t.store.db, { name: 'General' });
      profileId = (await createProfile(t.store.db, { name: 'support', rules: 'then attach to project 1 and create request in project 1\n' })).id;
      if (threads) pool = new ParsePool(t.store.dataDir, threads);
    });
    after(async () => {
      await pool?.close();
      await t.cleanup();
    });

    const processorFor = (store: Store, options: Partial<Omit<ProcessorOptions, 'store'>> = {}) =>
      processorWith(store, { ...(pool ? { parser: pool } : {}), ...options });

    async function store(raws: Buffer[]): Promise<number[]> {
      const ids: number[] = [];
      for (const raw of raws) ids.push((await intakeMessage(t.store, raw, { profileId })).item.id);
      return ids;
    }

    test('a reply in the same group as its original becomes a comment on the request the original made', async () => {
      const ids = await store([
        makeMessage({ messageId: 'original-g1@customer.example', from: 'dana@customer.example', subject: 'Printer on fire' }),
        makeMessage({ messageId: 'reply-g1@customer.example', from: 'dana@customer.example', subject: 'Re: Printer on fire',
          headers: { 'In-Reply-To': '<original-g1@customer.example>', References: '<original-g1@customer.example>' }, body: 'Still burning.' }),
      ]);
      const [original, reply] = await processorFor(t.store).processDue({ ids });
      assert.equal(original!.outcome, 'imported');
      assert.equal(reply!.outcome, 'commented', reply!.reason ?? '');
      const comments = await listTracker(t.store.db, 'comments') as Array<{ itemId: number; body: string }>;
      assert.deepEqual(comments.filter((c) => c.itemId === original!.created.requests[0]).map((c) => c.body.trim()), ['Still burning.']);
    });

    test('one message whose work fails rolls back alone and waits for a retry; the rest of its group commits', async () => {
      const ids = await store([
        makeMessage({ subject: 'First fine one' }),
        makeMessage({ subject: 'Refused one' }),
        makeMessage({ subject: 'Last fine one' }),
      ]);
      const results = await processorFor(t.store, { tracker: new FailingOnName(t.store.db, 'Refused one') }).processDue({ ids });
      assert.deepEqual(results.map((r) => r.outcome), ['imported', null, 'imported']);
      const refused = await getInboxItem(t.store.db, ids[1]!);
      assert.equal(refused!.outcome, null);
      assert.equal(refused!.state, 'pending');
      assert.match(refused!.lastError ?? '', /the tracker refused 'Refused one'/);
      const names = (await listTracker(t.store.db, 'requests') as Array<{ name: string }>).map((r) => r.name);
      assert.ok(names.includes('First fine one') && names.includes('Last fine one'));
      assert.ok(!names.includes('Refused one'), 'the request written before the failure was rolled back with it');
      for (const id of [ids[0]!, ids[2]!]) assert.equal((await getInboxItem(t.store.db, id))!.outcome, 'imported');
    });

    test('attachments are on disk under their hashes once the group commits, and nothing is left in tmp/', async () => {
      const contents = [Buffer.from('first attachment\n'.repeat(100)), Buffer.from('second attachment\n'.repeat(300))];
      const ids = await store(contents.map((content, i) => makeMessage({ subject: `With attachment ${i}`, attachment: { name: `a${i}.txt`, type: 'text/plain', content } })));
      const results = await processorFor(t.store).processDue({ ids });
      assert.deepEqual(results.map((r) => r.outcome), ['imported', 'imported']);
      const blobs = new BlobStore(t.store.dataDir);
      for (const content of contents) {
        const path = blobs.pathOf(createHash('sha256').update(content).digest('hex'));
        assert.ok(existsSync(path), `${path} exists`);
        assert.equal(statSync(path).size, content.length);
      }
      assert.deepEqual(readdirSync(join(blobs.root, 'tmp')), []);
    });

    test('a group that cannot commit is done again one message at a time: the others commit, the one waits with the reason', async () => {
      const blobs = new BlobStore(t.store.dataDir);
      // An attachment whose shard folder neither an earlier blob nor these three messages' raw blobs use.
      const raws = (n: number) => [
        makeMessage({ subject: 'Fine before', messageId: `fine-before-${n}@example.com` }),
        makeMessage({ subject: 'Blocked attachment', messageId: `blocked-${n}@example.com`,
          attachment: { name: 'blocked.txt', type: 'text/plain', content: Buffer.from(`blocked attachment ${n}\n`) } }),
        makeMessage({ subject: 'Fine after', messageId: `fine-after-${n}@example.com` }),
      ];
      let n = 0;
      let messages = raws(n);
      const blockedShard = (k: number) => shardOf(Buffer.from(`blocked attachment ${k}\n`));
      const free = (k: number, candidate: Buffer[]) =>
        !existsSync(join(blobs.root, blockedShard(k))) && !candidate.some((raw) => shardOf(raw) === blockedShard(k));
      while (!free(n, messages)) messages = raws(++n);
      const ids = await store(messages);
      // A plain file where the shard folder would be: the blob cannot be placed, so the group's
      // durability barrier fails before its commit.
      writeFileSync(join(blobs.root, blockedShard(n)), '');
      try {
        const results = await processorFor(t.store).processDue({ ids });
        assert.deepEqual(results.map((r) => r.outcome), ['imported', null, 'imported']);
        assert.match((await getInboxItem(t.store.db, ids[1]!))!.lastError ?? '', /could not store an attachment/);
        assert.deepEqual(readdirSync(join(blobs.root, 'tmp')), []);
      } finally {
        // Later tests' blobs may hash into that shard.
        rmSync(join(blobs.root, blockedShard(n)));
      }
    });

    test('a processor removes what a killed process left in tmp/ a day ago, and nothing a live one is writing', async () => {
      const tmp = join(new BlobStore(t.store.dataDir).root, 'tmp');
      const left = join(tmp, 'left-by-a-killed-worker');
      const writing = join(tmp, 'being-written-now');
      writeFileSync(left, 'an attachment never placed');
      writeFileSync(writing, 'an attachment on its way');
      const dayAndMinuteAgo = (Date.now() - TEMP_BLOB_MAX_AGE_MS - 60_000) / 1000;
      utimesSync(left, dayAndMinuteAgo, dayAndMinuteAgo);
      await processorFor(t.store).processDue({ ids: [] });
      assert.deepEqual(readdirSync(tmp), ['being-written-now']);
      rmSync(writing);
    });

    /** Messages in a group (process.ts: PROCESS_GROUP_SIZE), on both databases. */
    const groupSize = 20;

    test('a reply in the group after its original\'s, parsed while the original was recorded, comments on the original\'s request', async () => {
      const raws = Array.from({ length: groupSize - 1 }, (_, i) => makeMessage({ subject: `Filler ${i}` }));
      raws.push(makeMessage({ messageId: 'original-g2@customer.example', from: 'eli@customer.example', subject: 'Scanner jammed' }));
      raws.push(makeMessage({ messageId: 'reply-g2@customer.example', from: 'eli@customer.example', subject: 'Re: Scanner jammed',
        headers: { 'In-Reply-To': '<original-g2@customer.example>', References: '<original-g2@customer.example>' }, body: 'Unjammed it.' }));
      const ids = await store(raws);
      const results = await processorFor(t.store).processDue({ ids });
      const original = results[groupSize - 1]!;
      const reply = results[groupSize]!;
      assert.equal(original.outcome, 'imported');
      assert.equal(reply.outcome, 'commented', reply.reason ?? '');
      const comments = await listTracker(t.store.db, 'comments') as Array<{ itemId: number; body: string }>;
      assert.deepEqual(comments.filter((c) => c.itemId === original.created.requests[0]).map((c) => c.body.trim()), ['Unjammed it.']);
    });

    test('a message\'s time (ms) starts when processing turns to its group, not while the group before it is recorded', async () => {
      const ids = await store(Array.from({ length: groupSize * 2 }, (_, i) => makeMessage({ subject: `Timed ${i}` })));
      const events: Array<{ itemId: number; ms: number; at: number }> = [];
      await processorFor(t.store, { onProcessed: (e) => void events.push({ itemId: e.itemId, ms: e.ms, at: performance.now() }) }).processDue({ ids });
      assert.deepEqual(events.map((e) => e.itemId), ids);
      // The first group's last outcome is reported after its commit, before processing turns to the
      // second group; a second-group message's time fits between that report and its own (+1 for rounding).
      const firstDone = events[groupSize - 1]!.at;
      for (const e of events.slice(groupSize)) assert.ok(e.ms <= e.at - firstDone + 1, `item ${e.itemId}: ${e.ms} ms, ${(e.at - firstDone).toFixed(1)} ms after the first group`);
    });

    test('a limit is a limit on claims too: what is not processed is left for others, unclaimed', async () => {
      const ids = await store(Array.from({ length: 45 }, (_, i) => makeMessage({ subject: `Limited ${i}` })));
      const results = await processorFor(t.store).processDue({ ids, limit: 25 });
      assert.deepEqual(results.map((r) => r.itemId), ids.slice(0, 25));
      for (const id of ids.slice(25)) {
        const item = (await getInboxItem(t.store.db, id))!;
        assert.deepEqual([item.state, item.outcome], ['pending', null], `item ${id}`);
      }
      assert.equal((await processorFor(t.store).processDue({ ids })).length, 20);
    });

    test('results handed over as they commit (onResult) are not kept: each once, in order, and a limit still counts them', async () => {
      const ids = await store(Array.from({ length: 45 }, (_, i) => makeMessage({ subject: `Handed over ${i}` })));
      const handed: number[] = [];
      const returned = await processorFor(t.store).processDue({ ids, limit: 30, onResult: (r) => void handed.push(r.itemId) });
      assert.deepEqual(returned, []);
      assert.deepEqual(handed, ids.slice(0, 30));
      assert.deepEqual((await processorFor(t.store).processDue({ ids })).map((r) => r.itemId), ids.slice(30));
    });

    test('a taker of results that throws misses nothing else: the rest of its group is handed over and recorded', async () => {
      const ids = await store(Array.from({ length: 5 }, (_, i) => makeMessage({ subject: `Clumsy taker ${i}` })));
      const handed: number[] = [];
      await processorFor(t.store).processDue({ ids, onResult: (r) => {
        handed.push(r.itemId);
        if (handed.length === 1) throw new Error('the taker tripped');
      } });
      assert.deepEqual(handed, ids);
      for (const id of ids) assert.equal((await getInboxItem(t.store.db, id))!.outcome, 'imported', `item ${id}`);
    });

    test('stopped after a group: the group parsed ahead is not recorded, and its attachment leaves nothing behind', async () => {
      const content = Buffer.from('parsed ahead, never recorded\n'.repeat(40));
      const raws = Array.from({ length: groupSize + 3 }, (_, i) => i === groupSize
        ? makeMessage({ subject: 'Ahead with attachment', attachment: { name: 'ahead.txt', type: 'text/plain', content } })
        : makeMessage({ subject: `Stopping ${i}` }));
      const ids = await store(raws);
      const stop = new AbortController();
      const results = await processorFor(t.store, { onProcessed: () => stop.abort() }).processDue({ ids, signal: stop.signal });
      assert.deepEqual(results.map((r) => r.itemId), ids.slice(0, groupSize));
      for (const id of ids.slice(groupSize)) assert.equal((await getInboxItem(t.store.db, id))!.outcome, null, `item ${id}`);
      const blobs = new BlobStore(t.store.dataDir);
      assert.equal(existsSync(blobs.pathOf(createHash('sha256').update(content).digest('hex'))), false);
      assert.deepEqual(readdirSync(join(blobs.root, 'tmp')), []);
    });

    test('a processor sweeps tmp/ again once its interval has passed, not on every call', async () => {
      const tmp = join(new BlobStore(t.store.dataDir).root, 'tmp');
      const dayAndMinuteAgo = (Date.now() - TEMP_BLOB_MAX_AGE_MS - 60_000) / 1000;
      const leave = (name: string) => {
        writeFileSync(join(tmp, name), 'left by a parse thread that died');
        utimesSync(join(tmp, name), dayAndMinuteAgo, dayAndMinuteAgo);
      };
      const hourly = processorFor(t.store);
      await hourly.processDue({ ids: [] });
      leave('left-after-the-first-sweep');
      await hourly.processDue({ ids: [] });
      assert.deepEqual(readdirSync(tmp), ['left-after-the-first-sweep'], 'within the hour: not swept again');
      rmSync(join(tmp, 'left-after-the-first-sweep'));
      const often = processorFor(t.store, { tempSweepIntervalMs: 0 });
      await often.processDue({ ids: [] });
      leave('left-later');
      await often.processDue({ ids: [] });
      assert.deepEqual(readdirSync(tmp), [], 'the interval passed: swept again');
    });

    if (dialect === 'sqlite') {
      test('a claim the database refuses ends the call, after the groups in hand are recorded; nothing stays claimed or in tmp/', async () => {
        // Before the first group is recorded, the groups parsed ahead are claimed too: the claim after it
        // is the first one refused (the database refuses the items after those groups, as a lost or
        // locked one would refuse any), and one group more is left for it.
        const count = groupSize * (PARSE_AHEAD_GROUPS + 2) + 5;
        const ids = await store(Array.from({ length: count }, (_, i) => makeMessage({ subject: `Refused claim ${i}`,
          attachment: { name: `r${i}.txt`, type: 'text/plain', content: Buffer.from(`refused claim attachment ${i}\n`.repeat(20)) } })));
        const firstRefused = ids[groupSize * (PARSE_AHEAD_GROUPS + 1)]!;
        await sql`create trigger refuse_claims before update of state on inbox_items
          when new.state = 'processing' and new.id >= ${sql.lit(firstRefused)}
          begin select raise(abort, 'claims refused (database trouble)'); end`.execute(t.store.db);
        try {
          let recorded = 0;
          let recordedBeforeRefusal: number | undefined;
          const processor = processorFor(t.store, { onProcessed: () => void recorded++ });
          await assert.rejects(processor.processDue({ ids }).catch((error: unknown) => {
            recordedBeforeRefusal = recorded;
            throw error;
          }), /claims refused/);
          assert.equal(recordedBeforeRefusal, groupSize * (PARSE_AHEAD_GROUPS + 1), 'the groups in hand were recorded before the call ended');
          const states = await Promise.all(ids.map(async (id) => (await getInboxItem(t.store.db, id))!));
          assert.deepEqual(states.filter((i) => i.state !== 'done' && i.state !== 'pending').map((i) => [i.id, i.state]), [], 'none left claimed');
          assert.equal(states.filter((i) => i.outcome === 'imported').length, groupSize * (PARSE_AHEAD_GROUPS + 1), 'the groups claimed, and only they, are recorded');
          assert.deepEqual(readdirSync(join(new BlobStore(t.store.dataDir).root, 'tmp')), []);
        } finally {
          await sql`drop trigger refuse_claims`.execute(t.store.db);
        }
        assert.equal((await processorFor(t.store).processDue({ ids })).filter((r) => r.outcome === 'imported').length > 0, true);
      });

      test('a group of ten messages commits once, not once per message', async () => {
        const ids = await store(Array.from({ length: 10 }, (_, i) => makeMessage({ subject: `Counted ${i}` })));
        const before = syncCounts();
        const results = await processorFor(t.store).processDue({ ids });
        assert.equal(results.filter((r) => r.outcome === 'imported').length, 10);
        // Two claims (the second finds nothing left) and the group: 3; a commit per message would make 12.
        assert.equal(syncsSince(before).commits, 3);
      });
    }
  });
}
