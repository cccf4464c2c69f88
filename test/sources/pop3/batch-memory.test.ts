// What a POP3 batch holds in memory does not rest on the sizes LIST gives: a batch whose messages come
// larger than listed keeps answers only up to its byte bound plus one message's worth and plans the rest
// again; a message longer than the streaming threshold is not kept but RETRieved again on its own and
// streamed; every message stored once, whole, in listing order. downloadAll runs here on a listing whose
// sizes say what a server that misreports them would say (Dovecot's own LIST is exact).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { makeMessage } from '../../support/messages.js';
import { openTestStore, type TestStore } from '../../support/store.js';
import { startProxy, type ProxyRecord, type TcpProxy } from '../../support/tcp-proxy.js';
import { Pop3Client } from '../../../src/sources/pop3/index.js';
import { downloadAll, type DownloadOptions, type DownloadResult } from '../../../src/sources/pop3/download-all.js';
import { listInboxItems } from '../../../src/store/inbox.js';
import { bigMessage, context, newProfile, settingsFor, users } from '../imap/helpers.js';

const sha = (raw: Buffer) => createHash('sha256').update(raw).digest('hex');

/** The client→server chunks that carry RETR commands, as their lists of message numbers. */
const retrChunks = (records: readonly ProxyRecord[]) => records
  .filter((r): r is Extract<ProxyRecord, { from: 'client' }> => r.from === 'client' && r.text.startsWith('RETR'))
  .map((r) => r.text.split('\r\n').filter(Boolean).map((line) => Number(/^RETR (\d+)$/.exec(line)?.[1] ?? NaN)));

describe('POP3 batch memory against sizes the server misreports', { skip: dovecotSkip() }, () => {
  let dc: Dovecot;
  let t: TestStore;
  const proxies: TcpProxy[] = [];
  before(async () => {
    [dc, t] = await Promise.all([startDovecot({ users: users('n', 2) }), openTestStore('sqlite')]);
  });
  after(async () => {
    await Promise.all([...proxies.map((p) => p.close()), dc?.stop(), t?.cleanup()]);
  });

  /** Delivers `raws`, lists them with every size replaced by `listedSize(i)`, and downloads them through a recording proxy. */
  async function download(user: string, raws: Buffer[], listedSize: (i: number) => number, limits: DownloadOptions['limits']) {
    for (const raw of raws) await dc.deliver(user, raw);
    const proxy = await startProxy({ targetPort: dc.ports.pop3, record: true });
    proxies.push(proxy);
    const profile = await newProfile(t.store);
    const settings = settingsFor(dc, user, { protocol: 'pop3', tls: 'none', port: proxy.port });
    const client = await Pop3Client.connect({ host: dc.host, port: proxy.port, tls: 'none', login: user, password: 'pw', timeoutMs: 5000 });
    // Items in the inbox after each step but the last. Intake does not wait for afterBatch, and steps
    // committed during one call share the next: this one does no I/O (SQLite answers in the same turn),
    // so it ends before the next step can commit, and each step gets a call of its own.
    const stored: number[] = [];
    try {
      const numbers = new Map((await client.uidl()).map(({ n, uid }) => [uid, n]));
      const result: DownloadResult = { stored: 0, failed: [] };
      await downloadAll({
        client,
        numberOf: (key) => numbers.get(key),
        reconnect: async (error) => {
          throw error;
        },
      }, context(t.store, profile, settings), [...numbers.keys()].map((key, i) => ({ key, size: listedSize(i) })), {
        limits,
        afterBatch: async () => void stored.push((await listInboxItems(t.store.db, { profileId: profile.id })).length),
      }, result);
      await client.quit();
      const items = await listInboxItems(t.store.db, { profileId: profile.id });
      return { result, items, chunks: retrChunks(proxy.records), stored };
    } finally {
      client.close();
    }
  }

  test('messages larger than listed: each batch keeps answers up to its byte bound plus one message, the rest is planned again; each stored once, in order', async () => {
    const raws = Array.from({ length: 30 }, (_, i) => makeMessage({ subject: `m${i + 1}`, body: 'y'.repeat(50_000) }));
    assert.ok(raws.every((r) => r.length > 50_000 && r.length < 60_000));
    // Listed at 100 bytes each, all 30 fit one batch by the listing; in truth six of them pass the bound
    // of 200,000 + 100,001 bytes.
    const { result, items, chunks, stored } = await download('n1', raws, () => 100, { maxMessages: 100, maxBytes: 200_000, streamAbove: 100_000 });
    assert.deepEqual([result.stored, result.failed], [30, []]);
    const from = (first: number) => Array.from({ length: 31 - first }, (_, i) => first + i);
    assert.deepEqual(chunks, [from(1), from(7), from(13), from(19), from(25)]);
    assert.deepEqual(stored, [6, 12, 18, 24], 'six whole messages committed per batch');
    assert.deepEqual(items.map((i) => i.subject), raws.map((_, i) => `m${i + 1}`));
    assert.deepEqual(items.map((i) => i.rawRef), raws.map(sha));
  });

  test('a message longer than the streaming threshold but listed small is not held: RETRieved again alone and streamed, then the batch goes on', async () => {
    const big = bigMessage('big', 300_000);
    const raws = [makeMessage({ subject: 'small 1' }), big, makeMessage({ subject: 'small 3' }), makeMessage({ subject: 'small 4' })];
    const { result, items, chunks } = await download('n2', raws, () => 100, { maxMessages: 100, maxBytes: 8 << 20, streamAbove: 100_000 });
    assert.deepEqual([result.stored, result.failed], [4, []]);
    assert.deepEqual(chunks, [[1, 2, 3, 4], [2], [3, 4]]);
    assert.deepEqual(items.map((i) => i.subject), ['small 1', 'big', 'small 3', 'small 4']);
    assert.deepEqual(items.map((i) => i.rawRef), raws.map(sha));
  });
});
