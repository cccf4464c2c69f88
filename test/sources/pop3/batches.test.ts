// Batched POP3 intake (issue 14) against a real Dovecot: new mail comes in batches bounded by count and by
// bytes, each batch's RETRs pipelined (sent together, answers read in order), a large message streamed on
// its own; each batch made durable with one barrier (blobs synced together, rows in one commit) and
// processed while the next ones download. A message the server refuses, or whose row the database
// refuses, fails alone and stays on the server; a cut in the middle of a batch keeps the whole messages
// that arrived, and the next poll adds the rest, each once. DELE only ever follows a committed row.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { makeMessage } from '../../support/messages.js';
import { rawInDatabase, storedRaw } from '../../support/raw-bytes.js';
import { openTestStore, type TestStore } from '../../support/store.js';
import { startProxy, type ProxyRecord, type TcpProxy } from '../../support/tcp-proxy.js';
import { waitFor } from '../../support/wait.js';
import { Pop3Client } from '../../../src/sources/pop3/index.js';
import { pop3OriginKey, Pop3Source, type Pop3SourceOptions } from '../../../src/sources/pop3/source.js';
import type { ResolvedSettings } from '../../../src/sources/settings.js';
import { listInboxItems } from '../../../src/store/inbox.js';
import { RAW_IN_DATABASE_MAX_BYTES } from '../../../src/store/raw-messages.js';
import { syncCounts, syncsSince, type SyncCounts } from '../../../src/store/sync-counts.js';
import { bigMessage, context, newProfile, recordAll, settingsFor, users } from '../imap/helpers.js';
import { crlfNormalise } from './helpers.js';

const skip = dovecotSkip();
const sha = (raw: Buffer) => createHash('sha256').update(crlfNormalise(raw)).digest('hex');

/** The client→server chunks of one connection that carry RETR commands, as their lists of message numbers. */
function retrChunks(records: readonly ProxyRecord[], connection = 1): number[][] {
  return records
    .filter((r): r is Extract<ProxyRecord, { from: 'client' }> => r.connection === connection && r.from === 'client' && r.text.startsWith('RETR'))
    .map((r) => r.text.split('\r\n').filter(Boolean).map((line) => Number(/^RETR (\d+)$/.exec(line)?.[1] ?? NaN)));
}

describe('batched POP3 intake against Dovecot', { skip }, () => {
  let dc: Dovecot;
  let ts: TestStore;
  const proxies: TcpProxy[] = [];
  let nextUser = 0;
  const user = () => `o${++nextUser}`;
  before(async () => {
    [dc, ts] = await Promise.all([startDovecot({ users: users('o', 12) }), openTestStore('sqlite')]);
  });
  after(async () => {
    await Promise.all([...proxies.map((p) => p.close()), dc?.stop(), ts?.cleanup()]);
  });

  /** POP3 settings for `u`: over TLS, or in the clear through `proxy` (so its transcript can be read). */
  const pop3 = (u: string, proxy?: TcpProxy, extra: Partial<ResolvedSettings> = {}): ResolvedSettings =>
    settingsFor(dc, u, { protocol: 'pop3', ...(proxy ? { tls: 'none', port: proxy.port } : { port: dc.ports.pop3s }), ...extra });
  const source = (options: Pop3SourceOptions = {}) => new Pop3Source({ ca: dc.caCert, timeoutMs: 5000 }, options);
  const proxy = async () => {
    const p = await startProxy({ targetPort: dc.ports.pop3, record: true });
    proxies.push(p);
    return p;
  };
  const onServer = async (u: string) => Number(/messages=(\d+)/.exec(await dc.doveadm(['mailbox', 'status', '-u', u, 'messages', 'INBOX']))?.[1]);
  const subjects = async (profileId: number) => (await listInboxItems(ts.store.db, { profileId })).map((i) => i.subject);

  test('each batch\'s RETRs go out together (PIPELINING), batches bounded by count and by bytes; every message stored once, in order', async () => {
    for (const [options, expected] of [
      [{ batchMessages: 3 }, [[1, 2, 3], [4, 5, 6], [7]]],
      [{ batchBytes: 2500 }, [[1, 2], [3, 4], [5, 6], [7]]],
    ] as const) {
      const u = user();
      const raws = Array.from({ length: 7 }, (_, i) => makeMessage({ subject: `m${i + 1}`, body: 'x'.repeat(800) }));
      for (const raw of raws) await dc.deliver(u, raw);
      assert.ok(raws.every((r) => r.length > 1000 && r.length < 1250), 'two fit in 2,500 bytes, three do not');
      const profile = await newProfile(ts.store);
      const via = await proxy();
      const report = await source(options).poll(context(ts.store, profile, pop3(u, via)));
      assert.deepEqual([report.stored, report.failed], [7, []]);
      assert.deepEqual(retrChunks(via.records), expected, 'each batch in one piece, before any of its answers');
      const items = await listInboxItems(ts.store.db, { profileId: profile.id });
      assert.deepEqual(items.map((i) => i.subject), raws.map((_, i) => `m${i + 1}`));
      assert.deepEqual(items.map((i) => i.rawRef), raws.map(sha));
    }
  });

  test('a message above streamAboveBytes is RETRieved alone and streamed to disk between two batches', async () => {
    const u = user();
    const big = bigMessage('big', 300_000);
    const raws = [makeMessage({ subject: 'small 1' }), big, makeMessage({ subject: 'small 2' }), makeMessage({ subject: 'small 3' })];
    for (const raw of raws) await dc.deliver(u, raw);
    const profile = await newProfile(ts.store);
    const via = await proxy();
    const report = await source({ streamAboveBytes: 100_000 }).poll(context(ts.store, profile, pop3(u, via)));
    assert.equal(report.stored, 4);
    assert.deepEqual(retrChunks(via.records), [[1], [2], [3, 4]]);
    const items = await listInboxItems(ts.store.db, { profileId: profile.id });
    assert.deepEqual(items.map((i) => i.subject), ['small 1', 'big', 'small 2', 'small 3']);
    assert.deepEqual(items.map((i) => i.rawRef), raws.map(sha));
  });

  test('a RETR the server refuses fails only its message: the rest of its batch is stored and deleted, it stays on the server, reported, and the next poll takes it', async () => {
    const u = user();
    for (const i of [1, 2, 3, 4, 5]) await dc.deliver(u, makeMessage({ subject: `m${i}` }));
    // A first session has Dovecot index the mailbox (sizes included); then m3's file becomes unreadable:
    // Dovecot answers its RETR with -ERR and goes on with the session.
    const first = await Pop3Client.connect({ host: dc.host, port: dc.ports.pop3s, tls: 'tls', ca: dc.caCert, login: u, password: 'pw' });
    const uidl = await first.uidl();
    await first.quit();
    const cur = path.join(dc.dir, 'mail', u, 'Maildir', 'cur');
    let m3 = '';
    for (const name of await readdir(cur)) if ((await readFile(path.join(cur, name), 'utf8')).includes('Subject: m3\r\n')) m3 = path.join(cur, name);
    assert.ok(m3, 'm3 is in cur/');
    await chmod(m3, 0);

    const profile = await newProfile(ts.store);
    const settings = pop3(u, undefined, { afterImport: { kind: 'delete' } });
    const afterIntake = recordAll(ts.store, profile.id);
    const broken = await source().poll(context(ts.store, profile, settings, { afterIntake }));
    assert.equal(broken.stored, 4);
    assert.deepEqual(broken.failed.map((f) => f.key), [pop3OriginKey(settings, uidl[2]!.uid)]);
    assert.match(broken.failed[0]!.error, /^RETR refused by the server: /);
    assert.deepEqual(await subjects(profile.id), ['m1', 'm2', 'm4', 'm5']);
    assert.equal(broken.acknowledged, 4);
    assert.equal(await onServer(u), 1, 'only the message not stored is left on the server');

    await chmod(m3, 0o600);
    const next = await source().poll(context(ts.store, profile, settings, { afterIntake }));
    assert.deepEqual([next.stored, next.failed, next.acknowledged], [1, [], 1]);
    assert.deepEqual(await subjects(profile.id), ['m1', 'm2', 'm4', 'm5', 'm3']);
    assert.equal(await onServer(u), 0);
  });

  test('a row the database refuses keeps its message on the server: DELE only follows a committed row', async () => {
    const u = user();
    for (const i of [1, 2, 3, 4]) await dc.deliver(u, makeMessage({ subject: `m${i}` }));
    const client = await Pop3Client.connect({ host: dc.host, port: dc.ports.pop3s, tls: 'tls', ca: dc.caCert, login: u, password: 'pw' });
    const uidl = await client.uidl();
    await client.quit();
    const profile = await newProfile(ts.store);
    const settings = pop3(u, undefined, { afterImport: { kind: 'delete' } });
    const refusedKey = pop3OriginKey(settings, uidl[1]!.uid);
    // A real refusal by the database, of m2's row whatever its labels: a trigger on its origin key.
    await sql.raw(`create trigger refuse_m2 before insert on inbox_items when new.origin_key = '${refusedKey}'
      begin select raise(abort, 'refused by refuse_m2'); end`).execute(ts.store.db);
    const afterIntake = recordAll(ts.store, profile.id);
    try {
      const report = await source().poll(context(ts.store, profile, settings, { afterIntake }));
      assert.deepEqual(report.failed.map((f) => f.key), [refusedKey]);
      assert.deepEqual([report.stored, report.acknowledged], [3, 3]);
    } finally {
      await sql.raw('drop trigger refuse_m2').execute(ts.store.db);
    }
    assert.deepEqual(await subjects(profile.id), ['m1', 'm3', 'm4']);
    assert.equal(await onServer(u), 1, 'm2, whose row was refused, is still on the server');
    const next = await source().poll(context(ts.store, profile, settings, { afterIntake }));
    assert.deepEqual([next.stored, next.acknowledged], [1, 1]);
    assert.equal(await onServer(u), 0);
  });

  test('a connection cut in the middle of every batch keeps the whole messages that arrived, deletes nothing uncommitted; the next poll adds the rest, each once', async () => {
    const u = user();
    const raws = Array.from({ length: 60 }, (_, i) => makeMessage({ subject: `m${i + 1}`, body: `${i} `.repeat(5000) }));
    for (const raw of raws) await dc.deliver(u, raw);
    const profile = await newProfile(ts.store);
    const via = await proxy();
    const settings = pop3(u, via, { afterImport: { kind: 'delete' } });
    const afterIntake = recordAll(ts.store, profile.id);
    via.cutAfterBytes(120_000); // every connection: about a fifth of the mailbox, then a cut in the middle of a batch
    let error: Error | undefined;
    try {
      await source().poll(context(ts.store, profile, settings, { afterIntake })).catch((err: Error) => void (error = err));
    } finally {
      via.passThrough();
    }
    assert.ok(error, 'the poll failed: every connection was cut');
    assert.ok(via.accepted >= 2, 'and reconnected after a cut');
    const kept = await listInboxItems(ts.store.db, { profileId: profile.id });
    assert.ok(kept.length > 0 && kept.length < 60, `${kept.length} stored before the poll gave up`);
    const bySha = new Map(raws.map((raw, i) => [sha(raw), `m${i + 1}`]));
    assert.deepEqual(kept.map((i) => bySha.get(i.rawRef)), kept.map((i) => i.subject), 'each stored message is whole');
    assert.ok(kept.every((i) => i.outcome !== null), 'and processed before the poll failed');
    assert.equal(await onServer(u), 60, 'nothing deleted: the poll never got to acknowledging');

    const next = await source().poll(context(ts.store, profile, settings, { afterIntake }));
    assert.deepEqual([next.stored, next.failed, next.acknowledged], [60 - kept.length, [], 60]);
    const items = await listInboxItems(ts.store.db, { profileId: profile.id });
    assert.deepEqual(items.map((i) => i.subject).sort(), raws.map((_, i) => `m${i + 1}`).sort());
    assert.deepEqual(items.map((i) => bySha.get(i.rawRef)), items.map((i) => i.subject));
    assert.ok(items.every((i) => i.reason === null), 'no duplicates');
    assert.equal(await onServer(u), 0);
  });

  test('one durability barrier per batch: its large messages\' files synced together (a file each, a folder once), its rows and the small messages\' bytes in one commit', async () => {
    const own = await openTestStore('sqlite');
    try {
      const u = user();
      await dc.deliver(u, makeMessage({ subject: 'before' }));
      const profile = await newProfile(own.store);
      await source({ batchMessages: 5 }).poll(context(own.store, profile, pop3(u)));
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
      await source({ batchMessages: 5 }).poll(context(own.store, profile, pop3(u), {
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
    } finally {
      await own.cleanup();
    }
  });

  test('committed batches are processed while the next ones download: intake never waits for processing; one processing at a time', async () => {
    const u = user();
    for (let i = 0; i < 15; i++) await dc.deliver(u, makeMessage({ subject: `m${i + 1}` }));
    const profile = await newProfile(ts.store);
    const stored = async () => (await listInboxItems(ts.store.db, { profileId: profile.id })).length;
    const seen: number[] = [];
    let running = 0;
    let most = 0;
    await source({ batchMessages: 5 }).poll(context(ts.store, profile, pop3(u), {
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
