// Network faults between the client and a real Dovecot, injected by a TCP proxy: a connection cut in the
// middle of a RETR must fail the download (never look like a shorter message), a hung server must time out
// (after timeoutMs, not before) at every step, and a slow consumer must not be mistaken for a hung server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Pop3Client, Pop3Error } from '../../../src/sources/pop3/index.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { startProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { aliceOptions, crlfNormalise, readAll } from './helpers.js';

const LINE = 'The quick brown fox jumps over the lazy dog. 0123456789 ..........\n';
const BIG = Buffer.from('Subject: big\n\n' + LINE.repeat(40_000)); // ~2.7 MB
const BIG_CRLF_LENGTH = crlfNormalise(BIG).length;

describe('POP3 against Dovecot through a faulty network', { skip: dovecotSkip() }, () => {
  let dc: Dovecot;
  const proxies: TcpProxy[] = [];
  before(async () => {
    dc = await startDovecot();
    await dc.deliver('alice', BIG);
  });
  after(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await dc?.stop();
  });

  /** A client for alice through a fresh proxy in front of the plain or TLS port. */
  async function viaProxy(tls: 'none' | 'tls', timeoutMs = 10_000): Promise<{ proxy: TcpProxy; client: Pop3Client }> {
    const proxy = await startProxy({ targetPort: tls === 'tls' ? dc.ports.pop3s : dc.ports.pop3 });
    proxies.push(proxy);
    // Through the proxy the host is still 127.0.0.1, so the certificate still matches.
    const client = await Pop3Client.connect(aliceOptions(dc, tls, { port: proxy.port, timeoutMs }));
    return { proxy, client };
  }

  for (const tls of ['none', 'tls'] as const) {
    test(`${tls}: a connection cut mid-RETR errors the stream; nothing looks complete`, async () => {
      const { proxy, client } = await viaProxy(tls);
      proxy.cutAfterBytes(300_000);
      const stream = await client.retr(1);
      let received = 0;
      stream.on('data', (chunk: Buffer) => (received += chunk.length));
      const err = await readAll(stream).then(() => assert.fail('the stream ended normally'), (e: unknown) => e);
      assert.ok(err instanceof Pop3Error, String(err));
      assert.ok(received < BIG_CRLF_LENGTH, `received ${received} of ${BIG_CRLF_LENGTH}`);
      assert.equal(client.closed, true);
      await assert.rejects(client.stat(), Pop3Error, 'a failed client stays failed');
    });
  }

  test('a stalled server times out a command after timeoutMs', async () => {
    const { proxy, client } = await viaProxy('none', 500);
    proxy.stall();
    const started = Date.now();
    const err = await client.stat().then(() => assert.fail('STAT answered'), (e: Pop3Error) => e);
    const elapsed = Date.now() - started;
    assert.equal(err.step, 'timeout');
    assert.equal(err.during, 'command');
    // A lower bound only (it waited timeoutMs); a loaded machine can only make it later.
    assert.ok(elapsed >= 450, `timed out after ${elapsed} ms`);
    assert.equal(client.closed, true);
  });

  test('a server stalling mid-RETR errors the stream timeoutMs after the last byte', async () => {
    const { proxy, client } = await viaProxy('tls', 500);
    const stream = await client.retr(1);
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));
    proxy.stall();
    let lastByte = Date.now();
    stream.on('data', () => (lastByte = Date.now()));
    const err = await readAll(stream).then(() => assert.fail('the stream ended normally'), (e: Pop3Error) => e);
    const sinceLast = Date.now() - lastByte;
    assert.equal(err.step, 'timeout');
    assert.ok(sinceLast >= 450, `error ${sinceLast} ms after the last byte`); // lower bound only, as above
  });

  for (const [where, stallBeforeConnect] of [['greeting', 'none'], ['tls', 'tls']] as const) {
    test(`a server that accepts but never answers times out at step ${where}`, async () => {
      const proxy = await startProxy({ targetPort: stallBeforeConnect === 'tls' ? dc.ports.pop3s : dc.ports.pop3 });
      proxies.push(proxy);
      proxy.stall();
      const started = Date.now();
      const err = await Pop3Client.connect(aliceOptions(dc, stallBeforeConnect, { port: proxy.port, timeoutMs: 500 }))
        .then(() => assert.fail('connected'), (e: Pop3Error) => e);
      assert.equal(err.step, 'timeout');
      assert.equal(err.during, where);
      assert.ok(Date.now() - started >= 450, 'not before timeoutMs'); // lower bound only, as above
    });
  }

  test('a slow consumer is not a hung server: pauses longer than timeoutMs still complete', async () => {
    const { client } = await viaProxy('tls', 300);
    const stream = await client.retr(1);
    const parts: Buffer[] = [];
    let paused = false;
    for await (const chunk of stream) {
      parts.push(chunk as Buffer);
      if (!paused) {
        paused = true;
        // The scenario, not a wait: a consumer that stops reading for > 3 × timeoutMs.
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    assert.ok(Buffer.concat(parts).equals(crlfNormalise(BIG)));
    await client.quit();
  });

  test('after the fault is gone, a new session works (no state left on the server)', async () => {
    const { proxy, client } = await viaProxy('none');
    proxy.passThrough();
    assert.equal((await client.stat()).count, 1);
    await client.quit();
  });
});
