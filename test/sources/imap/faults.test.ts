// Network faults between the IMAP source and Dovecot, injected by a TCP proxy: a connection cut in the
// middle of a FETCH, a server that stops answering (before the greeting, and mid-download), and a slow
// link whose bytes never stop (not a timeout, however long one answer takes).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { openTestStore, type TestStore } from '../../support/store.js';
import { startProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { makeMessage } from '../../support/messages.js';
import { shardOf, threeShardsApart } from '../../support/blob-shards.js';
import { memoryLog } from '../../support/memory-log.js';
import { waitFor } from '../../support/wait.js';
import { ImapSource } from '../../../src/sources/imap/index.js';
import { listInboxItems } from '../../../src/store/inbox.js';
import { RAW_IN_DATABASE_MAX_BYTES } from '../../../src/store/raw-messages.js';
import { getStatus } from '../../../src/sources/status.js';
import { bigMessage, context, newProfile, recordAll, serverMessages, settingsFor, sourceOptions, users } from './helpers.js';

const skip = dovecotSkip();

describe('IMAP network faults', { skip }, () => {
  let dc: Dovecot;
  let ts: TestStore;
  let proxy: TcpProxy;
  before(async () => {
    [dc, ts] = await Promise.all([startDovecot({ users: users('f', 7) }), openTestStore('sqlite')]);
    proxy = await startProxy({ targetPort: dc.ports.imap });
  });
  after(async () => {
    await Promise.all([proxy?.close(), dc?.stop(), ts?.cleanup()]);
  });

  const tmpFiles = () => readdir(path.join(ts.dataDir, 'blobs', 'tmp')).catch(() => [] as string[]);
  const viaProxy = (user: string) => settingsFor(dc, user, { tls: 'none', port: proxy.port });

  test('a connection cut mid-FETCH stores nothing half, and the next poll imports each message once', async () => {
    const big = bigMessage('big', 1_500_000);
    await dc.deliver('f1', makeMessage({ subject: 'small 1' }));
    await dc.deliver('f1', big);
    await dc.deliver('f1', makeMessage({ subject: 'small 2' }));
    const profile = await newProfile(ts.store);
    const source = new ImapSource(sourceOptions(dc));
    proxy.cutAfterBytes(600_000);
    try {
      await assert.rejects(source.poll(context(ts.store, profile, viaProxy('f1'))), /connection was lost while downloading UID [23]/);
    } finally {
      proxy.passThrough();
    }
    assert.deepEqual(await tmpFiles(), []);
    const partial = await listInboxItems(ts.store.db, { profileId: profile.id });
    assert.ok(partial.every((i) => i.subject !== 'big'), 'the cut message was not stored');

    const direct = await source.poll(context(ts.store, profile, settingsFor(dc, 'f1', { tls: 'none' })));
    assert.equal(direct.stored, 3 - partial.length);
    const items = await listInboxItems(ts.store.db, { profileId: profile.id });
    assert.deepEqual(items.map((i) => i.subject).sort(), ['big', 'small 1', 'small 2']);
    const stored = items.find((i) => i.subject === 'big')!;
    assert.equal(stored.rawSize, big.length);
    assert.equal(stored.rawRef, createHash('sha256').update(big).digest('hex'));
  });

  test('a server that never greets fails the poll at the connect timeout', async () => {
    const profile = await newProfile(ts.store);
    proxy.stall();
    const started = Date.now();
    try {
      await assert.rejects(new ImapSource(sourceOptions(dc, { connectTimeoutMs: 800 })).poll(context(ts.store, profile, viaProxy('f2'))),
        /sent no IMAP greeting/);
    } finally {
      proxy.passThrough();
    }
    // A lower bound only (it did wait for the timeout); a loaded machine can only make it later.
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 700, `failed after ${elapsed} ms`);
  });

  test('a server that stalls mid-download fails the poll at the command timeout, storing nothing', async () => {
    await dc.deliver('f3', bigMessage('stalled', 8_000_000));
    const profile = await newProfile(ts.store);
    const source = new ImapSource(sourceOptions(dc, { commandTimeoutMs: 1000, chunkBytes: 64 * 1024 }));
    const polling = source.poll(context(ts.store, profile, viaProxy('f3')));
    const outcome = polling.then(() => 'resolved', (err: Error) => err);
    // Stall as soon as the download has started writing its blob.
    await waitFor(async () => (await tmpFiles()).length > 0, { what: 'the download to start writing its blob', intervalMs: 2 });
    proxy.stall();
    const stalledAt = Date.now();
    const result = await outcome;
    proxy.passThrough();
    const elapsed = Date.now() - stalledAt;
    assert.ok(result instanceof Error, 'the poll must fail');
    // Bytes had come: the server did answer, then went silent.
    assert.match(result.message, /sent nothing more for 1 s while downloading UID 1, after \d+(\.\d)? (KiB|MiB)$/);
    assert.ok(elapsed >= 900, `failed ${elapsed} ms after the stall`); // lower bound only, as above
    assert.deepEqual(await tmpFiles(), []);
    assert.deepEqual(await listInboxItems(ts.store.db, { profileId: profile.id }), []);

    const direct = await source.poll(context(ts.store, profile, settingsFor(dc, 'f3', { tls: 'none' })));
    assert.equal(direct.stored, 1);
  });

  test('a slow but steady link: a 600 KB message in a batch at 200 KB/s with a 1 s command timeout is stored', async () => {
    const raw = makeMessage({ subject: 'medium', body: 'z'.repeat(600_000) });
    await dc.deliver('f6', makeMessage({ subject: 'small' }));
    await dc.deliver('f6', raw);
    const profile = await newProfile(ts.store);
    const log = memoryLog();
    // One batch of both (1 MiB streamAbove): the FETCH answer takes about 3 s, its rows come at its end.
    const source = new ImapSource(sourceOptions(dc, { commandTimeoutMs: 1000 }));
    proxy.throttle(200_000);
    let report;
    try {
      report = await source.poll(context(ts.store, profile, viaProxy('f6'), { logger: log.logger })).catch((err: Error) => err);
    } finally {
      proxy.passThrough();
    }
    assert.ok(!(report instanceof Error), `the poll failed: ${(report as Error).message}`);
    assert.deepEqual([report.stored, report.failed], [2, []]);
    assert.ok(log.records.some((r) => r.src === 'c' && /UID FETCH 1:2 \(UID BODY\.PEEK\[\]/.test(String(r.msg))), 'one batch FETCH');
    const items = await listInboxItems(ts.store.db, { profileId: profile.id });
    assert.equal(items[1]!.rawRef, createHash('sha256').update(raw).digest('hex'));
  });

  test('an abort signal ends a hung poll, with its reason', async () => {
    const profile = await newProfile(ts.store);
    const controller = new AbortController();
    proxy.stall();
    try {
      const polling = new ImapSource(sourceOptions(dc)).poll(context(ts.store, profile, viaProxy('f4'), { signal: controller.signal }));
      // The scenario, not a wait: shut down while the poll hangs on the stalled server. Only the abort
      // can end it with this reason (the timeouts say what they waited for).
      setTimeout(() => controller.abort(new Error('shutting down')), 200);
      await assert.rejects(polling, /^Error: shutting down$/);
    } finally {
      proxy.passThrough();
    }
  });

  test('processing that outlasts the connection: acknowledgements go over a new one', async () => {
    await dc.deliver('f4', makeMessage({ subject: 'slow processing' }));
    const profile = await newProfile(ts.store);
    const settings = { ...viaProxy('f4'), afterImport: { kind: 'seen' as const }, afterOther: { kind: 'seen' as const } };
    const accepted = proxy.accepted;
    const report = await new ImapSource(sourceOptions(dc)).poll(context(ts.store, profile, settings, {
      afterIntake: async () => {
        await recordAll(ts.store, profile.id)();
        proxy.cutAfterBytes(0); // the server (or a NAT box) dropped the quiet connection meanwhile
        proxy.passThrough();
        await new Promise((r) => setTimeout(r, 50)); // the scenario: processing takes a while after the drop
      },
    }));
    assert.deepEqual([report.stored, report.acknowledged], [1, 1]);
    assert.equal(proxy.accepted, accepted + 2);
    assert.deepEqual((await serverMessages(dc, 'f4')).map((m) => m.flags.includes('\\Seen')), [true]);
  });

  test('a message whose file fails to store does not stop the others, and is retried by the next poll', async () => {
    // Over RAW_IN_DATABASE_MAX_BYTES: each is a blob file (smaller ones go into the database with their rows).
    const taken = new Set(await readdir(path.join(ts.dataDir, 'blobs')).catch(() => [] as string[]));
    const raws = threeShardsApart((i) => bigMessage(['first', 'second', 'third'][i]!, 60_000), taken);
    assert.ok(raws.every((raw) => raw.length > RAW_IN_DATABASE_MAX_BYTES));
    for (const raw of raws) await dc.deliver('f5', raw);
    // A file where the blob store wants the second message's directory: only that intake fails.
    const blocker = path.join(ts.dataDir, 'blobs', shardOf(raws[1]));
    await mkdir(path.dirname(blocker), { recursive: true });
    await writeFile(blocker, 'in the way');
    const profile = await newProfile(ts.store);
    const source = new ImapSource(sourceOptions(dc));
    const settings = settingsFor(dc, 'f5');
    const first = await source.poll(context(ts.store, profile, settings));
    assert.equal(first.stored, 2);
    assert.deepEqual(first.failed.map((f) => f.key.replace(/:\d+:/, ':V:')), ['imap:INBOX:V:2']);
    assert.equal((await getStatus(ts.store.db, profile.id)).cursor?.highestUid, 1);

    await rm(blocker);
    const second = await source.poll(context(ts.store, profile, settings));
    assert.deepEqual([second.stored, second.failed], [1, []]);
    assert.equal((await getStatus(ts.store.db, profile.id)).cursor?.highestUid, 3);
    const subjects = (await listInboxItems(ts.store.db, { profileId: profile.id })).map((i) => i.subject);
    assert.deepEqual(subjects, ['first', 'third', 'second']);
  });
});
