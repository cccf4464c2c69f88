// A 30 MB message is streamed through RETR with bounded memory: backpressure must reach the socket, so the
// client never holds more than a few chunks however slow the consumer. Measured as heapUsed + arrayBuffers
// (Buffers live outside the JS heap) after a GC at each sample; RSS is too noisy for this.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, test } from 'node:test';
import { Pop3Client } from '../../../src/sources/pop3/index.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { aliceOptions } from './helpers.js';
import { waitFor } from '../../support/wait.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

describe('POP3 against Dovecot: a 30 MB message', { skip: dovecotSkip() }, () => {
  let dc: Dovecot;
  let expectedHash = '';
  let expectedLength = 0;

  before(async () => {
    dc = await startDovecot();
    // LF-only source with dot lines throughout, so unstuffing runs at volume; the CRLF form is what comes back.
    const lines = ['Subject: thirty megabytes', ''];
    for (let i = 0; lines.length < 440_000; i++) lines.push(i % 50 === 0 ? '.' : `${i.toString(36)} ${'x'.repeat(60)} .${i}`);
    const raw = Buffer.from(lines.join('\n') + '\n');
    const crlf = Buffer.from(lines.join('\r\n') + '\r\n');
    expectedHash = createHash('sha256').update(crlf).digest('hex');
    expectedLength = crlf.length;
    assert.ok(expectedLength > 30 * MB, `${expectedLength} bytes`);
    await dc.deliver('alice', raw);
  });
  after(() => dc?.stop());

  test('RETR streams it byte-exact with heap + buffers growing far less than its size', async (t) => {
    const client = await Pop3Client.connect(aliceOptions(dc, 'tls', { timeoutMs: 30_000 }));
    const [{ size }] = await client.list();
    assert.equal(size, expectedLength);
    // Settle first: the 30 MB fixtures of before() must be gone, and freed ArrayBuffer backing stores are
    // released by V8's sweeper a little after gc() returns. Wait until two more gc() rounds free nothing.
    let previous = Infinity;
    let steady = 0;
    const baseline = await waitFor(() => {
      gc();
      const now = memory();
      steady = now >= previous - 64 * 1024 ? steady + 1 : 0;
      previous = now;
      return steady >= 2 && now;
    }, { what: 'memory to settle after gc()', intervalMs: 20 });
    let peak = baseline;
    let sinceSample = 0;
    const hash = createHash('sha256');
    let length = 0;
    const started = performance.now();
    // A consumer slower than loopback TLS (10 ms per 256 KiB ≈ 25 MB/s), so the socket must really be paused:
    // without backpressure the whole message would pile up in the stream's buffer.
    let sincePause = 0;
    const sink = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        length += chunk.length;
        sinceSample += chunk.length;
        if (sinceSample > 2 * MB) {
          // Collect first: consumed chunks are garbage until V8's external-memory limit triggers a GC (that
          // alone can be ~30 MB, depending on timing). What must stay bounded is what is still referenced.
          sinceSample = 0;
          gc();
          peak = Math.max(peak, memory());
        }
        sincePause += chunk.length;
        if (sincePause < 256 * 1024) return done();
        sincePause = 0;
        setTimeout(done, 10); // the scenario, not a wait: a slow consumer
      },
    });
    await pipeline(await client.retr(1), sink);
    const ms = performance.now() - started;
    await client.quit();
    assert.equal(length, expectedLength);
    assert.equal(hash.digest('hex'), expectedHash);
    const growth = peak - baseline;
    assert.ok(growth < 8 * MB, `memory grew by ${(growth / MB).toFixed(1)} MB while streaming ${(length / MB).toFixed(1)} MB`);
    t.diagnostic(`30 MB RETR over TLS: ${ms.toFixed(0)} ms, peak growth ${(growth / MB).toFixed(1)} MB`);
  });
});
