// What a batch holds in memory does not rest on the sizes the server lists (RFC822.SIZE): messages
// listed without a size stream, and a batch whose messages come larger than listed stops collecting at
// its byte bound plus one message's worth, streams the first one that was not whole and goes on after
// it; every message stored once, whole, in UID order. downloadAll runs here on a listing whose sizes
// say what a server that misreports them would say; Dovecot itself sends the real bytes.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { memoryLog, type MemoryLog } from '../../support/memory-log.js';
import { makeMessage } from '../../support/messages.js';
import { openTestStore, type TestStore } from '../../support/store.js';
import { downloadAll, type DownloadOptions } from '../../../src/sources/imap/download-all.js';
import { listMessages, type ListedMessage } from '../../../src/sources/imap/listing.js';
import { originKey } from '../../../src/sources/imap/origin.js';
import { ImapSession } from '../../../src/sources/imap/session.js';
import { listInboxItems } from '../../../src/store/inbox.js';
import { context, newProfile, settingsFor, sourceOptions, users } from './helpers.js';

const sha = (raw: Buffer) => createHash('sha256').update(raw).digest('hex');

// A full garbage collection on demand, without starting the test process with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('batch memory against sizes the server misreports', { skip: dovecotSkip() }, () => {
  let dc: Dovecot;
  let t: TestStore;
  before(async () => {
    [dc, t] = await Promise.all([startDovecot({ users: users('m', 4) }), openTestStore('sqlite')]);
  });
  after(async () => {
    await Promise.all([dc?.stop(), t?.cleanup()]);
  });

  /** The FETCH commands of the message bytes, in order: `batch 1:30`, or `stream 7` for a download's first window. */
  const fetches = (log: MemoryLog) => log.records.flatMap((r) => {
    const msg = r.src === 'c' ? String(r.msg) : '';
    const batch = /UID FETCH (\S+) \(UID BODY\.PEEK\[\]<0\.\d+>( MODSEQ)?\)$/.exec(msg);
    const stream = /UID FETCH (\d+) \(UID RFC822\.SIZE BODY\.PEEK\[\]<0\.\d+>/.exec(msg);
    return batch ? [`batch ${batch[1]}`] : stream ? [`stream ${stream[1]}`] : [];
  });

  /** Delivers `raws` to `user`, lists them with sizes changed by `misreport`, and downloads them. */
  async function download(user: string, raws: Buffer[], misreport: (m: ListedMessage) => number, limits: DownloadOptions['limits']) {
    for (const raw of raws) await dc.deliver(user, raw);
    const profile = await newProfile(t.store);
    const settings = settingsFor(dc, user);
    const log = memoryLog();
    const session = await ImapSession.open(settings, sourceOptions(dc), { logger: log.logger });
    // Items in the inbox after each step but the last. Intake does not wait for afterBatch, and steps
    // committed during one call share the next: this one does no I/O (SQLite answers in the same turn),
    // so it ends before the next step can commit, and each step gets a call of its own.
    const stored: number[] = [];
    try {
      const listed = (await listMessages(session, 1)).map((m) => ({ ...m, size: misreport(m) }));
      const ctx = context(t.store, profile, settings);
      const result = await downloadAll(session, ctx, listed, (m) => originKey('INBOX', session.folder.uidValidity, m.uid), {
        chunkBytes: 64 * 1024,
        limits,
        advance: async () => () => undefined,
        afterBatch: async () => void stored.push((await listInboxItems(t.store.db, { profileId: profile.id })).length),
      });
      const items = await listInboxItems(t.store.db, { profileId: profile.id });
      return { result, items, fetches: fetches(log), stored };
    } finally {
      await session.close();
    }
  }

  test('100 messages listed without a size are streamed one by one, never held in one in-memory FETCH', async () => {
    const raws = Array.from({ length: 100 }, (_, i) => makeMessage({ subject: `m${i + 1}` }));
    const { result, items, fetches: sent } = await download('m1', raws, () => 0, { maxMessages: 100, maxBytes: 8 << 20, streamAbove: 1 << 20 });
    assert.deepEqual([result.stored, result.failed], [100, []]);
    assert.deepEqual(sent, raws.map((_, i) => `stream ${i + 1}`), 'no batch FETCH');
    assert.deepEqual(items.map((i) => i.rawRef), raws.map(sha));
  });

  test('messages larger than listed: a batch stops at its byte bound plus one message, then goes on; each stored once, in order', async () => {
    const raws = Array.from({ length: 30 }, (_, i) => makeMessage({ subject: `m${i + 1}`, body: 'y'.repeat(50_000) }));
    assert.ok(raws.every((r) => r.length > 50_000 && r.length < 60_000));
    const limits = { maxMessages: 100, maxBytes: 200_000, streamAbove: 100_000 };
    // Listed at 100 bytes each, all 30 fit one batch of 3,000 bytes by the listing.
    const { result, items, fetches: sent, stored } = await download('m2', raws, () => 100, limits);
    assert.deepEqual([result.stored, result.failed], [30, []]);
    assert.deepEqual(items.map((i) => i.subject), raws.map((_, i) => `m${i + 1}`));
    assert.deepEqual(items.map((i) => i.rawRef), raws.map(sha));
    // Each batch FETCH asked for the rest of the 30, and kept what fit; the next message streamed.
    assert.equal(sent[0], 'batch 1:30');
    assert.ok(sent.length > 2 && sent.length < 30, sent.join(', '));
    for (const [i, step] of sent.entries()) {
      const next = sent[i + 1];
      if (step.startsWith('batch') && next) assert.match(next, /^stream \d+$/, `after ${step}: ${next}`);
      if (step.startsWith('stream') && next) assert.equal(next, `batch ${Number(step.split(' ')[1]) + 1}:30`);
    }
    // What a batch held, from the messages each step stored (one FETCH per step): at most its bound plus
    // one message's worth of slack, plus the message that crossed it (each below the streaming threshold).
    const counts = [...stored, items.length].map((n, i, all) => n - (all[i - 1] ?? 0));
    const held = counts.filter((_, i) => sent[i]!.startsWith('batch')).map((count) => count * raws[0]!.length);
    assert.equal(counts.length, sent.length);
    for (const bytes of held) assert.ok(bytes <= limits.maxBytes + 2 * (limits.streamAbove + 1), `a batch held ${bytes} bytes`);
    assert.ok(Math.max(...held) > limits.maxBytes, 'control: the listing did not bound the batch, its bytes did');
  });

  test('a poll holds at most two batches of bytes: the one downloading and the one just stored; not the whole mailbox', async () => {
    // 40 messages of ~100 KB, batches of 3 by bytes: 4 MB in all, at most 2 × (300 KB + one message) live.
    const raws = Array.from({ length: 40 }, (_, i) => makeMessage({ subject: `m${i + 1}`, attachment: { name: 'a.bin', type: 'application/octet-stream', content: randomBytes(75_000) } }));
    const total = raws.reduce((n, r) => n + r.length, 0);
    const limits = { maxMessages: 100, maxBytes: 300_000, streamAbove: 200_000 };
    const bound = 2 * (limits.maxBytes + limits.streamAbove + 1);
    assert.ok(total > 3 * bound, 'control: the mailbox is far larger than the bound');
    for (const raw of raws) await dc.deliver('m4', raw);
    const profile = await newProfile(t.store);
    const settings = settingsFor(dc, 'm4');
    const session = await ImapSession.open(settings, sourceOptions(dc));
    // Live buffer memory (ArrayBuffers: what a downloaded message is held in) after a full collection.
    const live = () => {
      gc();
      return process.memoryUsage().arrayBuffers;
    };
    try {
      const listed = await listMessages(session, 1);
      const before = live();
      let most = 0;
      let steps = 0;
      const result = await downloadAll(session, context(t.store, profile, settings), listed, (m) => originKey('INBOX', session.folder.uidValidity, m.uid), {
        chunkBytes: 64 * 1024,
        limits,
        advance: async () => () => undefined,
        // Runs once a batch is stored, while the next one downloads: both are there to be counted. It
        // waits one turn, far less than a step's FETCH, writes and commit take: a call per step.
        afterBatch: async () => {
          steps++;
          most = Math.max(most, live() - before);
          await new Promise((resolve) => setImmediate(resolve));
          most = Math.max(most, live() - before);
        },
      });
      assert.deepEqual([result.stored, result.failed], [40, []]);
      assert.ok(steps >= 10, `${steps} batches`);
      assert.ok(most <= bound, `${most} bytes of buffers live after a batch, more than two batches' bound of ${bound}`);
    } finally {
      await session.close();
    }
  });

  test('a message larger than the streaming threshold, listed small, is cut in its batch and streamed whole in its place', async () => {
    const big = makeMessage({ subject: 'big', body: 'b'.repeat(300_000) });
    const raws = [1, 2, 3, 4, 5].map((i) => (i === 3 ? big : makeMessage({ subject: `m${i}` })));
    const { result, items, fetches: sent } = await download('m3', raws, () => 1000, { maxMessages: 100, maxBytes: 8 << 20, streamAbove: 100_000 });
    assert.deepEqual([result.stored, result.failed], [5, []]);
    assert.deepEqual(sent, ['batch 1:5', 'stream 3', 'batch 4:5']);
    assert.deepEqual(items.map((i) => i.subject), ['m1', 'm2', 'big', 'm4', 'm5']);
    assert.deepEqual(items.map((i) => i.rawRef), raws.map(sha));
  });
});
