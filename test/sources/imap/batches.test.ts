// Batched intake (issue 14): new mail comes in batches, one `UID FETCH <set> BODY.PEEK[]` each, bounded by
// count and by bytes; a large message streams on its own; each batch is made durable with one barrier
// (blobs synced together, rows and cursor in one commit); a cut in the middle of a batch keeps the whole
// messages that arrived and the next poll adds the rest, each once.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { memoryLog, type MemoryLog } from '../../support/memory-log.js';
import { makeMessage } from '../../support/messages.js';
import { rawInDatabase, storedRaw } from '../../support/raw-bytes.js';
import { openTestStore, type TestStore } from '../../support/store.js';
import { startProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { waitFor } from '../../support/wait.js';
import { planSteps, type Step } from '../../../src/sources/imap/batches.js';
import { readCursor } from '../../../src/sources/imap/cursor.js';
import { ImapSource } from '../../../src/sources/imap/index.js';
import type { ListedMessage } from '../../../src/sources/imap/listing.js';
import { getStatus } from '../../../src/sources/status.js';
import { listInboxItems } from '../../../src/store/inbox.js';
import { RAW_IN_DATABASE_MAX_BYTES } from '../../../src/store/raw-messages.js';
import { syncCounts, syncsSince, type SyncCounts } from '../../../src/store/sync-counts.js';
import { bigMessage, context, newProfile, recordAll, settingsFor, sourceOptions, users } from './helpers.js';

const listed = (...sizes: number[]): ListedMessage[] => sizes.map((size, i) => ({ uid: i + 1, size, internalDate: null }));
const shape = (steps: Step[]) => steps.map((s) => (s.kind === 'stream' ? `stream ${s.message.uid}` : s.messages.map((m) => m.uid).join(',')));

test('batches are cut by count and by bytes in UID order; a large or over-limit message goes alone on the streaming path', () => {
  const limits = { maxMessages: 3, maxBytes: 1000, streamAbove: 500, maxMessageBytes: 10_000 };
  assert.deepEqual(shape(planSteps(listed(10, 10, 10, 10, 10, 10, 10), limits)), ['1,2,3', '4,5,6', '7']);
  assert.deepEqual(shape(planSteps(listed(400, 400, 400, 100, 100), limits)), ['1,2', '3,4,5']);
  assert.deepEqual(shape(planSteps(listed(10, 501, 10, 10), limits)), ['1', 'stream 2', '3,4']);
  // Over the profile's limit: only its header is fetched, which is the streaming path's job.
  assert.deepEqual(shape(planSteps(listed(10, 300, 10), { ...limits, maxMessageBytes: 200 })), ['1', 'stream 2', '3']);
  // A batch may hold one message of exactly maxBytes; one byte more and it could not be batched at all.
  assert.deepEqual(shape(planSteps(listed(1000, 1001), { ...limits, streamAbove: 2000 })), ['1', 'stream 2']);
  assert.deepEqual(planSteps([], limits), []);
});

test('a message listed without a size is streamed: nothing bounds what it would hold in a batch', () => {
  const limits = { maxMessages: 100, maxBytes: 8 << 20, streamAbove: 1 << 20, maxMessageBytes: 50 << 20 };
  const steps = planSteps(listed(...Array.from({ length: 100 }, () => 0)), limits);
  assert.deepEqual(shape(steps), Array.from({ length: 100 }, (_, i) => `stream ${i + 1}`));
  assert.deepEqual(shape(planSteps(listed(10, 0, 10, 10), limits)), ['1', 'stream 2', '3,4']);
});

const skip = dovecotSkip();

describe('batched IMAP intake against Dovecot', { skip }, () => {
  let dc: Dovecot;
  let ts: TestStore;
  let proxy: TcpProxy;
  let nextUser = 0;
  const user = () => `q${++nextUser}`;
  before(async () => {
    [dc, ts] = await Promise.all([startDovecot({ users: users('q', 10) }), openTestStore('sqlite')]);
    proxy = await startProxy({ targetPort: dc.ports.imap });
  });
  after(async () => {
    await Promise.all([proxy?.close(), dc?.stop(), ts?.cleanup()]);
  });

  /**
   * The UID sets of the batch FETCHes the source sent, in order (imapflow logs each command at debug).
   * A batch asks for each message up to the streaming threshold plus one byte (fetch-batch.ts).
   */
  const batchFetches = (log: MemoryLog) => log.records
    .filter((r) => r.src === 'c' && typeof r.msg === 'string')
    .map((r) => /UID FETCH (\S+) \(UID BODY\.PEEK\[\]<0\.\d+>( MODSEQ)?\)$/.exec(r.msg)?.[1])
    .filter((set): set is string => !!set);
  const windowFetches = (log: MemoryLog, uid: number) => log.records
    .filter((r) => r.src === 'c' && new RegExp(`UID FETCH ${uid} \\(.*BODY\\.PEEK\\[\\]<\\d+\\.\\d+>`).test(String(r.msg))).length;
  const sha = (raw: Buffer) => createHash('sha256').update(raw).digest('hex');

  test('one UID FETCH BODY.PEEK[] per batch, bounded by count and by bytes; every message stored once, in UID order', async () => {
    for (const [options, expected] of [
      [{ batchMessages: 3 }, ['1:3', '4:6', '7']],
      [{ batchBytes: 2500 }, ['1:2', '3:4', '5:6', '7']],
    ] as const) {
      const u = user();
      const raws = Array.from({ length: 7 }, (_, i) => makeMessage({ subject: `m${i + 1}`, body: 'x'.repeat(800) }));
      for (const raw of raws) await dc.deliver(u, raw);
      assert.ok(raws.every((r) => r.length > 1000 && r.length < 1250), 'two fit in 2,500 bytes, three do not');
      const profile = await newProfile(ts.store);
      const log = memoryLog();
      const report = await new ImapSource(sourceOptions(dc, options)).poll(context(ts.store, profile, settingsFor(dc, u), { logger: log.logger }));
      assert.deepEqual([report.stored, report.failed], [7, []]);
      assert.deepEqual(batchFetches(log), expected);
      const items = await listInboxItems(ts.store.db, { profileId: profile.id });
      assert.deepEqual(items.map((i) => i.subject), raws.map((_, i) => `m${i + 1}`));
      assert.deepEqual(items.map((i) => i.rawRef), raws.map(sha));
    }
  });

  test('a message above streamAboveBytes is streamed in windows between two batches', async () => {
    const u = user();
    const big = bigMessage('big', 300_000);
    const raws = [makeMessage({ subject: 'small 1' }), big, makeMessage({ subject: 'small 2' }), makeMessage({ subject: 'small 3' })];
    for (const raw of raws) await dc.deliver(u, raw);
    const profile = await newProfile(ts.store);
    const log = memoryLog();
    const source = new ImapSource(sourceOptions(dc, { streamAboveBytes: 100_000, chunkBytes: 64 * 1024 }));
    const report = await source.poll(context(ts.store, profile, settingsFor(dc, u), { logger: log.logger }));
    assert.equal(report.stored, 4);
    assert.deepEqual(batchFetches(log), ['1', '3:4']);
    assert.ok(windowFetches(log, 2) >= Math.ceil(big.length / (64 * 1024)), `UID 2 came in ${windowFetches(log, 2)} windows`);
    const items = await listInboxItems(ts.store.db, { profileId: profile.id });
    assert.deepEqual(items.map((i) => i.subject), ['small 1', 'big', 'small 2', 'small 3']);
    assert.equal(items[1]!.rawRef, sha(big));
  });

  test('a connection cut in the middle of a batch keeps the whole messages that arrived; the next poll adds the rest, nothing twice', async () => {
    const u = user();
    const raws = Array.from({ length: 40 }, (_, i) => makeMessage({ subject: `m${i + 1}`, body: `${i} `.repeat(5000) }));
    for (const raw of raws) await dc.deliver(u, raw);
    const profile = await newProfile(ts.store);
    const source = new ImapSource(sourceOptions(dc));
    const log = memoryLog();
    const afterIntake = recordAll(ts.store, profile.id);
    proxy.cutAfterBytes(200_000); // about half the batch of 40 × ~10 KB
    let error: Error | undefined;
    try {
      await source.poll(context(ts.store, profile, settingsFor(dc, u, { tls: 'none', port: proxy.port }), { logger: log.logger, afterIntake }))
        .catch((err: Error) => void (error = err));
    } finally {
      proxy.passThrough();
    }
    assert.deepEqual(batchFetches(log), ['1:40'], 'one batch, cut inside it');
    const cutAt = Number(/connection was lost while downloading UID (\d+)/.exec(error?.message ?? '')?.[1]);
    assert.ok(cutAt > 1 && cutAt < 40, `cut at UID ${cutAt}: ${error?.message}`);
    const kept = await listInboxItems(ts.store.db, { profileId: profile.id });
    assert.deepEqual(kept.map((i) => i.subject), raws.slice(0, cutAt - 1).map((_, i) => `m${i + 1}`), 'the messages before the cut, whole');
    assert.deepEqual(kept.map((i) => i.rawRef), raws.slice(0, cutAt - 1).map(sha));
    assert.ok(kept.every((i) => i.outcome !== null), 'and processed before the poll failed');
    assert.equal((await getStatus(ts.store.db, profile.id)).cursor?.highestUid, cutAt - 1);
    assert.deepEqual(await readdir(path.join(ts.dataDir, 'blobs', 'tmp')), []);

    const next = await source.poll(context(ts.store, profile, settingsFor(dc, u), { afterIntake }));
    assert.deepEqual([next.stored, next.failed], [40 - (cutAt - 1), []]);
    const items = await listInboxItems(ts.store.db, { profileId: profile.id });
    assert.deepEqual(items.map((i) => i.subject), raws.map((_, i) => `m${i + 1}`));
    assert.deepEqual(items.map((i) => i.rawRef), raws.map(sha));
    assert.ok(items.every((i) => i.reason === null), 'no duplicates');
  });

  test('one durability barrier per batch: its large messages\' files synced together (a file each, a folder once), its rows, the small messages\' bytes and the cursor in one commit', async () => {
    const own = await openTestStore('sqlite');
    try {
      const u = user();
      await dc.deliver(u, makeMessage({ subject: 'before' }));
      const profile = await newProfile(own.store);
      const source = new ImapSource(sourceOptions(dc, { batchMessages: 5 }));
      await source.poll(context(own.store, profile, settingsFor(dc, u)));
      // Two over RAW_IN_DATABASE_MAX_BYTES (blob files), the rest kept in the database with their rows.
      const large = new Set([2, 7]);
      const raws = Array.from({ length: 12 }, (_, i) => makeMessage({ subject: `m${i + 1}`, ...(large.has(i) ? { body: `${'x'.repeat(75)}\r\n`.repeat(1000) } : {}) }));
      assert.ok(raws.every((raw, i) => raw.length > RAW_IN_DATABASE_MAX_BYTES === large.has(i)));
      for (const raw of raws) await dc.deliver(u, raw);
      const shardsBefore = new Set((await readdir(path.join(own.dataDir, 'blobs'))).filter((d) => d !== 'tmp'));

      // Each afterIntake follows one committed batch (the last one is poll()'s own call after intake):
      // this one does no I/O, so it ends before the next batch can commit, and none shares a call.
      const intervals: SyncCounts[] = [];
      let mark = syncCounts();
      await source.poll(context(own.store, profile, settingsFor(dc, u), {
        afterIntake: async () => {
          intervals.push(syncsSince(mark));
          mark = syncCounts();
        },
      }));

      const batches = [raws.slice(0, 5), raws.slice(5, 10), raws.slice(10)];
      const seen = new Set(shardsBefore);
      const expected = batches.map((batch) => {
        const files = batch.filter((raw) => raw.length > RAW_IN_DATABASE_MAX_BYTES);
        const shards = new Set(files.map((raw) => sha(raw).slice(0, 2)));
        const fresh = [...shards].some((s) => !seen.has(s));
        for (const s of shards) seen.add(s);
        return { fileSyncs: files.length, dirSyncs: shards.size + (fresh ? 1 : 0), commits: 1 };
      });
      assert.deepEqual(intervals, expected);
      const items = await listInboxItems(own.store.db, { profileId: profile.id });
      assert.deepEqual(items.map((i) => i.subject), ['before', ...raws.map((_, i) => `m${i + 1}`)]);
      for (const [i, raw] of raws.entries()) {
        assert.equal(await rawInDatabase(own.store, items[i + 1]!), !large.has(i), `m${i + 1} in the database`);
        assert.deepEqual(await storedRaw(own.store, items[i + 1]!), raw, `m${i + 1} stored whole`);
      }
      assert.equal(readCursor((await getStatus(own.store.db, profile.id)).cursor)?.highestUid, 13);
    } finally {
      await own.cleanup();
    }
  });

  test('committed batches are processed while the next ones download: intake never waits for processing; one processing at a time', async () => {
    const u = user();
    const raws = Array.from({ length: 15 }, (_, i) => makeMessage({ subject: `m${i + 1}` }));
    for (const raw of raws) await dc.deliver(u, raw);
    const profile = await newProfile(ts.store);
    const stored = async () => (await listInboxItems(ts.store.db, { profileId: profile.id })).length;
    const seen: number[] = [];
    let running = 0;
    let most = 0;
    await new ImapSource(sourceOptions(dc, { batchMessages: 5 })).poll(context(ts.store, profile, settingsFor(dc, u), {
      afterIntake: async () => {
        most = Math.max(most, ++running);
        const count = await stored();
        seen.push(count);
        // Processing the first batch ends only once the other two are committed: it cannot, unless they
        // download meanwhile, the intake not waiting for it.
        if (count === 5) await waitFor(async () => (await stored()) >= 15, { what: 'the second and third batches to be stored while the first is processed' });
        running--;
      },
    }));
    // The second and third batches were committed during the first call, and the download ended before
    // it did: the next call is the poll's own, after the intake, and it finds both.
    assert.deepEqual(seen, [5, 15]);
    assert.equal(most, 1, 'never two processings at once');
    assert.equal(await stored(), 15);
  });
});
