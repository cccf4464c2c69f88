// Pipelined RETR (RFC 2449 PIPELINING) in the POP3 client, against a real Dovecot: a batch's RETR commands
// go out together and the answers are read in order, byte-exact; each answer is bounded in memory; a -ERR
// is the answer of its message only; a cut keeps the answers that arrived whole; and the inactivity
// watchdog is re-armed by arriving bytes, so a slow batch completes and a stalled one times out. A server
// without PIPELINING (Dovecot always offers it) is played by a scripted server: one RETR at a time.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Pop3Client, Pop3Error, type RetrAnswer } from '../../../src/sources/pop3/index.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { startProxy, type ProxyRecord, type TcpProxy } from '../../support/tcp-proxy.js';
import { waitFor } from '../../support/wait.js';
import { aliceOptions, crlfNormalise, prng, trickyMessage } from './helpers.js';

const kinds = (answers: RetrAnswer[]) => answers.map((a) => a.kind);
const NO_BOUNDS = { wholeBelow: 1 << 30, maxHeld: 1 << 30 };

/** The client→server chunks of one connection that carry RETR commands, as their lists of message numbers. */
function retrChunks(records: readonly ProxyRecord[], connection: number): number[][] {
  return records
    .filter((r): r is Extract<ProxyRecord, { from: 'client' }> => r.connection === connection && r.from === 'client' && r.text.startsWith('RETR'))
    .map((r) => r.text.split('\r\n').filter(Boolean).map((line) => Number(/^RETR (\d+)$/.exec(line)?.[1] ?? NaN)));
}

describe('POP3 pipelined RETR against Dovecot', { skip: dovecotSkip() }, () => {
  let dc: Dovecot;
  const proxies: TcpProxy[] = [];
  const users = ['exact', 'bounds', 'refused', 'cut', 'slow'].map((user) => ({ user, password: `${user}-pw` }));
  const fixtures: Buffer[] = [];
  const tenK = (i: number) => Buffer.from(`Subject: m${i}\r\n\r\n${`${i} `.repeat(5000)}\r\n`);

  before(async () => {
    dc = await startDovecot({ users });
    const rand = prng(2449);
    for (let i = 0; i < 12; i++) fixtures.push(trickyMessage(rand));
    for (const f of fixtures) await dc.deliver('exact', f);
    for (const size of [1000, 5000, 1000, 1000, 1000]) {
      const head = `Subject: ${size}\r\n\r\n`;
      await dc.deliver('bounds', `${head}${'b'.repeat(size - head.length - 2)}\r\n`);
    }
    for (let i = 1; i <= 3; i++) await dc.deliver('refused', `Subject: r${i}\r\n\r\nbody ${i}\r\n`);
    for (let i = 1; i <= 20; i++) {
      await dc.deliver('cut', tenK(i));
      await dc.deliver('slow', tenK(i));
    }
  });
  after(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await dc?.stop();
  });

  async function viaProxy(user: string, timeoutMs = 10_000): Promise<{ proxy: TcpProxy; client: Pop3Client }> {
    const proxy = await startProxy({ targetPort: dc.ports.pop3, record: true });
    proxies.push(proxy);
    const client = await Pop3Client.connect(aliceOptions(dc, 'none', { port: proxy.port, login: user, password: `${user}-pw`, timeoutMs }));
    return { proxy, client };
  }

  test('Dovecot offers PIPELINING: a batch of 12 RETRs goes out in one piece before any answer; every message comes back byte-exact, in order', async () => {
    const { proxy, client } = await viaProxy('exact');
    assert.ok(client.capabilities.includes('PIPELINING'), client.capabilities.join(' '));
    assert.equal(client.pipelining, true);
    const batch = await client.retrBatch(fixtures.map((_, i) => i + 1), NO_BOUNDS);
    assert.equal(batch.failure, undefined);
    assert.deepEqual(kinds(batch.answers), fixtures.map(() => 'message'));
    batch.answers.forEach((answer, i) => {
      assert.ok(answer.kind === 'message' && answer.content.equals(crlfNormalise(fixtures[i]!)), `message ${i + 1} differs`);
    });
    // One chunk with all twelve commands: none of them waited for an answer.
    assert.deepEqual(retrChunks(proxy.records, 1), [fixtures.map((_, i) => i + 1)]);
    await client.quit();
  });

  test('bounds: an answer reaching wholeBelow is reported larger and not kept; past maxHeld the rest is read and dropped as later; the session goes on', async () => {
    const { client } = await viaProxy('bounds');
    const sizes = (await client.list()).map((l) => l.size);
    assert.deepEqual(sizes, [1000, 5000, 1000, 1000, 1000]);
    const batch = await client.retrBatch([1, 2, 3, 4, 5], { wholeBelow: 3000, maxHeld: 1500 });
    // 1 is kept (1,000 held), 2 reaches 3,000 bytes (larger), 3 is kept (2,000 held, over 1,500): 4 and 5 are dropped.
    assert.deepEqual(kinds(batch.answers), ['message', 'larger', 'message', 'later', 'later']);
    assert.equal(batch.failure, undefined);
    const [first, , third] = batch.answers;
    assert.deepEqual([first?.kind === 'message' && first.content.length, third?.kind === 'message' && third.content.length], [1000, 1000]);
    assert.equal((await client.stat()).count, 5, 'the next command gets its own answer');
    await client.quit();
  });

  test('a -ERR is the answer of its own message only: the batch goes on, the session too', async () => {
    const { client } = await viaProxy('refused');
    const batch = await client.retrBatch([1, 99, 2, 3], NO_BOUNDS);
    assert.deepEqual(kinds(batch.answers), ['message', 'refused', 'message', 'message']);
    const refused = batch.answers[1];
    assert.ok(refused?.kind === 'refused' && refused.error instanceof Pop3Error);
    assert.match(refused.error.message, /^RETR refused by the server: /);
    assert.equal(batch.failure, undefined);
    assert.equal(client.closed, false);
    await client.quit();
  });

  test('a connection cut in the middle of a batch: the answers that arrived whole, then the failure', async () => {
    const { proxy, client } = await viaProxy('cut');
    proxy.cutAfterBytes(100_000); // about half of 20 × 10 KB
    const batch = await client.retrBatch(Array.from({ length: 20 }, (_, i) => i + 1), NO_BOUNDS);
    assert.ok(batch.failure instanceof Pop3Error, 'the cut is reported');
    assert.ok(batch.answers.length > 3 && batch.answers.length < 20, `${batch.answers.length} answers before the cut`);
    batch.answers.forEach((answer, i) => {
      assert.ok(answer.kind === 'message' && answer.content.equals(crlfNormalise(tenK(i + 1))), `message ${i + 1} is whole`);
    });
    assert.equal(client.closed, true);
  });

  test('the watchdog is re-armed by arriving bytes: a batch taking several timeouts completes; a stall inside one times out', async () => {
    const all = Array.from({ length: 20 }, (_, i) => i + 1);
    const slow = await viaProxy('slow', 400);
    slow.proxy.throttle(80_000); // ~200 KB at 80 KB/s: 2.5 s, six timeouts' worth, bytes never stopping for long
    const started = Date.now();
    const batch = await slow.client.retrBatch(all, NO_BOUNDS);
    assert.equal(batch.failure, undefined, String(batch.failure));
    assert.ok(Date.now() - started > 3 * 400, 'the batch took longer than several timeouts');
    assert.equal(batch.answers.length, 20);
    slow.proxy.passThrough(); // the proxy drops what the throttle holds when the server closes: let QUIT's answer through
    await slow.client.quit();

    const stalled = await viaProxy('slow', 400);
    stalled.proxy.throttle(80_000);
    const pending = stalled.client.retrBatch(all, NO_BOUNDS);
    await waitFor(() => stalled.proxy.bytesToClient > 50_000, { what: 'part of the batch to arrive' });
    stalled.proxy.stall();
    const cut = await pending;
    assert.equal(cut.failure?.step, 'timeout');
    assert.ok(cut.answers.length >= 1 && cut.answers.length < 20, `${cut.answers.length} answers before the stall`);
    assert.ok(cut.answers.every((a) => a.kind === 'message'));
  });
});

/**
 * A scripted server that answers RETR n with a tiny message one turn of the event loop later, and counts
 * how many RETRs it had received and not yet answered: with PIPELINING a client sends them all at once.
 */
async function retrServer(pipelining: boolean): Promise<{ port: number; mostInFlight: () => number; close: () => Promise<void> }> {
  let inFlight = 0;
  let most = 0;
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.write('+OK scripted\r\n');
    let input = '';
    socket.on('data', (d) => {
      input += d.toString('latin1');
      let lf: number;
      while ((lf = input.indexOf('\r\n')) !== -1) {
        const line = input.slice(0, lf);
        input = input.slice(lf + 2);
        if (line === 'CAPA') socket.write(`+OK\r\nUSER\r\nUIDL\r\n${pipelining ? 'PIPELINING\r\n' : ''}.\r\n`);
        else if (line.startsWith('RETR ')) {
          most = Math.max(most, ++inFlight);
          setImmediate(() => {
            inFlight--;
            socket.write(`+OK\r\nSubject: ${line.slice(5)}\r\n\r\nx\r\n.\r\n`);
          });
        } else socket.write('+OK\r\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
  return {
    port: (server.address() as net.AddressInfo).port,
    mostInFlight: () => most,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('POP3 RETR batches with and without PIPELINING (scripted servers)', () => {
  for (const pipelining of [true, false]) {
    test(pipelining ? 'PIPELINING offered: all RETRs of a batch are in flight at once' : 'no PIPELINING: one RETR at a time, each after the previous answer', async () => {
      const server = await retrServer(pipelining);
      try {
        const client = await Pop3Client.connect({ host: '127.0.0.1', port: server.port, tls: 'none', login: 'joe', password: 'pw', timeoutMs: 2000 });
        assert.equal(client.pipelining, pipelining);
        const batch = await client.retrBatch([1, 2, 3, 4, 5], NO_BOUNDS);
        assert.deepEqual(batch.answers.map((a) => a.kind === 'message' && a.content.toString()), [1, 2, 3, 4, 5].map((n) => `Subject: ${n}\r\n\r\nx\r\n`));
        assert.equal(server.mostInFlight(), pipelining ? 5 : 1);
        client.close();
      } finally {
        await server.close();
      }
    });
  }
});
