// Volume: a 1,000-message folder polled completely, a 30 MB message streamed with bounded memory, and a
// message over the size limit kept as headers only (a header of megabytes only up to a bound).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { openTestStore, type TestStore } from '../../support/store.js';
import { hugeHeaderMessage, makeMessage } from '../../support/messages.js';
import { storedRaw } from '../../support/raw-bytes.js';
import { ImapSource } from '../../../src/sources/imap/index.js';
import { BlobStore } from '../../../src/store/blobs.js';
import { MAX_HEADER_BYTES } from '../../../src/mail/header-scan.js';
import { listInboxItems } from '../../../src/store/inbox.js';
import { bigMessage, context, newProfile, serverMessages, settingsFor, sourceOptions, users } from './helpers.js';

const skip = dovecotSkip();

// Memory is measured after forced collections, so the figure is what the poll retains, not garbage
// that V8 has not got round to collecting yet.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

describe('IMAP volume', { skip }, () => {
  let dc: Dovecot;
  let ts: TestStore;
  before(async () => {
    [dc, ts] = await Promise.all([startDovecot({ users: users('v', 4) }), openTestStore('sqlite')]);
  });
  after(async () => {
    await Promise.all([dc?.stop(), ts?.cleanup()]);
  });

  test('a 1,000-message folder is polled completely: exactly 1,000 items in UID order, and nothing on the next poll', async () => {
    for (let i = 0; i < 1000; i++) await dc.deliver('v1', makeMessage({ subject: `message ${i}`, body: `body ${i}` }));
    const profile = await newProfile(ts.store);
    const settings = settingsFor(dc, 'v1');
    const source = new ImapSource(sourceOptions(dc));
    const report = await source.poll(context(ts.store, profile, settings));
    assert.deepEqual(report, { listed: 1000, stored: 1000, skipped: 0, failed: [], acknowledged: 0 });
    const items = await listInboxItems(ts.store.db, { profileId: profile.id });
    assert.equal(items.length, 1000);
    // In UID order: processing takes items in insertion order, and replies must follow what they answer.
    assert.deepEqual(items.map((i) => i.subject), Array.from({ length: 1000 }, (_, i) => `message ${i}`));
    const again = await source.poll(context(ts.store, profile, settings));
    assert.deepEqual([again.listed, again.stored], [1000, 0]);
  });

  test('a 30 MB message is streamed to disk with bounded memory', async () => {
    let raw: Buffer | undefined = bigMessage('big', 22 * 1024 * 1024);
    const size = raw.length;
    const sha = createHash('sha256').update(raw).digest('hex');
    assert.ok(size > 30_000_000);
    await dc.deliver('v2', raw);
    raw = undefined;
    gc();
    gc(); // a second pass frees what the first only finalised (the 30 MB buffer's backing store)
    const baseline = used();
    let peak = 0;
    let samples = 0;
    const sampler = setInterval(() => {
      gc();
      samples++;
      peak = Math.max(peak, used() - baseline);
    }, 15);
    const profile = await newProfile(ts.store);
    try {
      const report = await new ImapSource(sourceOptions(dc)).poll(context(ts.store, profile, settingsFor(dc, 'v2')));
      assert.equal(report.stored, 1);
    } finally {
      clearInterval(sampler);
    }
    const [item] = await listInboxItems(ts.store.db, { profileId: profile.id });
    assert.equal(item!.rawSize, size);
    assert.equal(item!.rawRef, sha);
    assert.ok(await new BlobStore(ts.dataDir).has(sha));
    assert.ok(samples >= 10, `only ${samples} memory samples were taken during the download`);
    assert.ok(peak < 10 * 1024 * 1024, `memory grew by ${(peak / 1048576).toFixed(1)} MiB for a ${(size / 1048576).toFixed(1)} MiB message`);
  });

  test('a message over maxMessageBytes is kept as headers only, ignored as too large, and acknowledged', async () => {
    await dc.deliver('v3', makeMessage({ subject: 'huge attachment', attachment: { name: 'x.bin', type: 'application/octet-stream', content: randomBytes(300_000) } }));
    const profile = await newProfile(ts.store);
    const settings = settingsFor(dc, 'v3', { maxMessageBytes: 100_000, afterOther: { kind: 'seen' } });
    const report = await new ImapSource(sourceOptions(dc)).poll(context(ts.store, profile, settings));
    assert.deepEqual([report.stored, report.acknowledged], [1, 1]);
    const [item] = await listInboxItems(ts.store.db, { profileId: profile.id });
    assert.equal(item!.outcome, 'ignored');
    assert.match(item!.reason ?? '', /^too large: \d{6} bytes, the limit is 100000$/);
    assert.equal(item!.subject, 'huge attachment');
    assert.ok(item!.rawSize < 2000, `stored ${item!.rawSize} bytes`);
    const head = (await storedRaw(ts.store, item!))!.toString('latin1');
    assert.match(head, /^From: .*\r\n[\s\S]*Subject: huge attachment\r\n[\s\S]*\r\n\r\n$/);
    assert.deepEqual((await serverMessages(dc, 'v3')).map((m) => m.flags.includes('\\Seen')), [true]);
  });

  test('a message over maxMessageBytes whose header alone is 2 MB keeps only the header\'s first 256 KiB', async () => {
    await dc.deliver('v4', hugeHeaderMessage('all header', 2_000_000));
    const profile = await newProfile(ts.store);
    const settings = settingsFor(dc, 'v4', { maxMessageBytes: 100_000, afterOther: { kind: 'seen' } });
    const report = await new ImapSource(sourceOptions(dc)).poll(context(ts.store, profile, settings));
    assert.deepEqual([report.stored, report.acknowledged], [1, 1]);
    const [item] = await listInboxItems(ts.store.db, { profileId: profile.id });
    assert.equal(item!.outcome, 'ignored');
    assert.match(item!.reason ?? '', /^too large: 2\d{6} bytes, the limit is 100000$/);
    assert.deepEqual([item!.subject, item!.fromAddress], ['all header', 'Alice Example <alice@example.com>']);
    assert.equal(item!.rawSize, MAX_HEADER_BYTES, 'the header was fetched only up to the bound');
  });
});

