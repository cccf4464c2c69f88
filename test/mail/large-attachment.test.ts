// A 20 MB attachment streams through parseMessage into the sink without the message or the
// attachment ever being held in memory whole. Measured as memory growth, not time.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { simpleParser } from 'mailparser';
import { parseMessage, type AttachmentSink } from '../../src/mail/index.js';

const ATTACHMENT_BYTES = 20 * 1024 * 1024;
const BLOCK = 57 * 1024; // 57 bytes per 76-character base64 line
const LIMIT = 60 * 1024 * 1024;

// A clean baseline needs a collection; expose gc() for this process if the runtime allows it.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;

/** Memory that would grow if something buffered the message: JS heap plus Buffer backing stores. */
function used(): { heap: number; total: number } {
  const m = process.memoryUsage();
  return { heap: m.heapUsed, total: m.heapUsed + m.arrayBuffers };
}

/**
 * Peak growth over a baseline. `heap` is heapUsed as sampled; `retained` is heapUsed + arrayBuffers
 * measured right after a collection (every few samples), so garbage Buffers that V8 has not yet
 * collected do not count, but anything the parser or sink holds on to does.
 */
class Peak {
  private readonly base = used();
  private samples = 0;
  heap = 0;
  retained = 0;
  sample(): void {
    const now = used();
    this.heap = Math.max(this.heap, now.heap - this.base.heap);
    if (gc && ++this.samples % 16 === 0) this.settle();
  }
  settle(): void {
    gc?.();
    this.retained = Math.max(this.retained, used().total - this.base.total);
  }
}

/** The message as a lazily generated stream; `expected` is complete once the stream has ended. */
function generatedMessage(size: number, onChunk: () => void) {
  const expected = { hash: createHash('sha256'), size: 0 };
  let seed = 0x9e3779b9;
  async function* lines() {
    yield Buffer.from(
      [
        'From: Big Sender <big@example.com>',
        'To: support@example.com',
        'Subject: a large attachment',
        'Message-ID: <large@example.com>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="xyz"',
        '',
        '--xyz',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Please see the attached file.',
        '--xyz',
        'Content-Type: application/octet-stream; name="big.bin"',
        'Content-Disposition: attachment; filename="big.bin"',
        'Content-Transfer-Encoding: base64',
        '',
        '',
      ].join('\r\n'),
    );
    for (let done = 0; done < size; done += BLOCK) {
      const block = Buffer.allocUnsafe(Math.min(BLOCK, size - done));
      for (let i = 0; i < block.length; i++) {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        block[i] = seed & 0xff;
      }
      expected.hash.update(block);
      expected.size += block.length;
      const base64 = block.toString('base64');
      let text = '';
      for (let i = 0; i < base64.length; i += 76) text += `${base64.slice(i, i + 76)}\r\n`;
      onChunk();
      yield Buffer.from(text);
    }
    yield Buffer.from('--xyz--\r\n');
  }
  return { stream: Readable.from(lines(), { objectMode: false }), expected };
}

test('a 20 MB attachment streams to the sink with bounded memory', async (t) => {
  gc?.();
  const peak = new Peak();
  const { stream, expected } = generatedMessage(ATTACHMENT_BYTES, () => peak.sample());
  const sink: AttachmentSink = {
    async save(content) {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of content as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
        peak.sample();
      }
      return { ref: hash.digest('hex'), size };
    },
  };
  const message = await parseMessage(stream, { receivedAt: new Date(), sink });
  peak.sample();
  peak.settle();

  assert.equal(message.attachments.length, 1);
  const [attachment] = message.attachments;
  assert.equal(attachment?.fileName, 'big.bin');
  assert.equal(attachment?.size, ATTACHMENT_BYTES);
  assert.equal(expected.size, ATTACHMENT_BYTES);
  assert.equal(attachment?.blobRef, expected.hash.digest('hex'));
  assert.equal(message.text.trim(), 'Please see the attached file.');
  assert.ok(message.size > ATTACHMENT_BYTES * 1.3, 'the raw message (base64) was counted');
  t.diagnostic(`peak growth: heapUsed ${mb(peak.heap)}, retained heap + Buffers ${gc ? mb(peak.retained) : 'not measured (no gc)'}`);
  assert.ok(peak.heap < LIMIT, `heapUsed grew by ${mb(peak.heap)}`);
  if (gc) {
    assert.ok(peak.retained < LIMIT, `retained memory grew by ${mb(peak.retained)}`);
    // The stricter bound that actually rules out holding the attachment (or the message) whole.
    assert.ok(peak.retained < ATTACHMENT_BYTES / 2, `retained memory grew by ${mb(peak.retained)}`);
  }
});

test('the measurement would catch buffering: simpleParser holding the attachment grows past 20 MB', { skip: !gc && 'gc() not available' }, async (t) => {
  gc?.();
  const peak = new Peak();
  const { stream } = generatedMessage(ATTACHMENT_BYTES, () => peak.sample());
  const parsed = await simpleParser(stream);
  peak.settle();
  assert.equal(parsed.attachments[0]?.size, ATTACHMENT_BYTES);
  t.diagnostic(`simpleParser retained growth: ${mb(peak.retained)}`);
  assert.ok(peak.retained > ATTACHMENT_BYTES, `grew by only ${mb(peak.retained)}`);
});

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}
