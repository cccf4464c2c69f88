// parseMessage behaviour on small built messages: addresses, ids, limits and failure handling.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { parseMessage, UnparseableMessageError, type AttachmentSink } from '../../src/mail/index.js';
import { HashingSink } from '../support/mail-sink.js';

const receivedAt = new Date('2024-01-02T03:04:05.000Z');
const eml = (...lines: string[]) => Buffer.from(lines.join('\r\n'));
const parse = (raw: Buffer | NodeJS.ReadableStream, sink: AttachmentSink = new HashingSink(), maxAttachmentBytes?: number) =>
  parseMessage(raw, { receivedAt, sink, ...(maxAttachmentBytes === undefined ? {} : { maxAttachmentBytes }) });

function withAttachments(...parts: { name: string; body: Buffer }[]): Buffer {
  const lines = ['From: a@example.com', 'Subject: files', 'Message-ID: <files@example.com>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'see attached'];
  for (const part of parts) {
    lines.push('--b', `Content-Type: application/octet-stream; name="${part.name}"`, `Content-Disposition: attachment; filename="${part.name}"`, 'Content-Transfer-Encoding: base64', '');
    lines.push(...(part.body.toString('base64').match(/.{1,76}/g) ?? []));
  }
  lines.push('--b--', '');
  return eml(...lines);
}

test('groups are flattened, entries without an address dropped, names kept or empty', async () => {
  const message = await parse(
    eml(
      'From: "Doe, Jane" <jane@example.com>, second@example.com',
      'To: Team: a@example.com, "B" <b@example.com>;, undisclosed-recipients:;, root, <@example.com>',
      'Cc: =?utf-8?Q?J=C3=BCrgen?= <jurgen@example.de>',
      'Cc: c2@example.com',
      'Reply-To: r1@example.com, R2 <r2@example.com>',
      'Sender: Robot <robot@example.com>',
      'Subject: x',
      '',
      'body',
    ),
  );
  assert.deepEqual(message.from, { name: 'Doe, Jane', address: 'jane@example.com' });
  assert.deepEqual(message.to, [
    { name: '', address: 'a@example.com' },
    { name: 'B', address: 'b@example.com' },
  ]);
  assert.deepEqual(message.cc, [
    { name: 'Jürgen', address: 'jurgen@example.de' },
    { name: '', address: 'c2@example.com' },
  ]);
  assert.deepEqual(message.replyTo, [
    { name: '', address: 'r1@example.com' },
    { name: 'R2', address: 'r2@example.com' },
  ]);
  assert.deepEqual(message.sender, { name: 'Robot', address: 'robot@example.com' });
});

test('no From, no Subject, no Date, no Message-ID', async () => {
  const message = await parse(eml('To: x@example.com', '', 'hi'));
  assert.equal(message.from, null);
  assert.equal(message.subject, '');
  assert.equal(message.date, receivedAt.toISOString());
  assert.equal(message.dateFromHeader, false);
  assert.equal(message.messageIdSynthesized, true);
  assert.match(message.messageId, /^[0-9a-f]{32}@mailbind\.invalid$/);
  assert.equal(message.text, 'hi');
  assert.equal(message.html, null);
});

test('an empty Message-ID is synthesised; different bytes give different ids', async () => {
  const a = await parse(eml('Message-ID: <>', 'Subject: a', '', 'a'));
  const b = await parse(eml('Message-ID:', 'Subject: b', '', 'b'));
  assert.equal(a.messageIdSynthesized, true);
  assert.equal(b.messageIdSynthesized, true);
  assert.notEqual(a.messageId, b.messageId);
});

test('subject: encoded line breaks, tabs and folding become single spaces', async () => {
  const message = await parse(eml('Subject: =?utf-8?Q?first=0D=0Aline?=', '\t  and\tmore  ', '', 'x'));
  assert.equal(message.subject, 'first line and more');
  // Non-ASCII spaces are content, not folding.
  const japanese = await parse(eml(`Subject: =?utf-8?B?${Buffer.from('日本\u3000語\u00a0x').toString('base64')}?=`, '', 'x'));
  assert.equal(japanese.subject, '日本\u3000語\u00a0x');
});

test('empty input parses to an empty message', async () => {
  const message = await parse(Buffer.alloc(0));
  assert.equal(message.size, 0);
  assert.equal(message.messageIdSynthesized, true);
  assert.deepEqual(message.headers, []);
  assert.equal(message.text, '');
});

test('a leading UTF-8 byte order mark is skipped for parsing but counted in size and hash', async () => {
  const plain = eml('From: Bob <bob@example.com>', 'Subject: bom', '', 'x');
  const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), plain]);
  for (const input of [withBom, Readable.from([...withBom].map((b) => Buffer.from([b])))]) {
    const message = await parse(input);
    assert.deepEqual(message.from, { name: 'Bob', address: 'bob@example.com' });
    assert.equal(message.headers[0]?.name, 'from');
    assert.equal(message.size, plain.length + 3);
  }
  // Input that only starts like a BOM is passed on untouched.
  assert.equal((await parse(Buffer.from([0xef, 0xbb]))).size, 2);
});

test('a stream fed one byte at a time gives the same message as the buffer', async () => {
  const raw = withAttachments({ name: 'a.bin', body: Buffer.from('hello world') });
  const bytes = [...raw].map((b) => Buffer.from([b]));
  const fromStream = await parse(Readable.from(bytes));
  const fromBuffer = await parse(raw);
  assert.deepEqual(fromStream, fromBuffer);
  assert.equal(fromStream.size, raw.length);
});

test('attachments are saved one at a time, in order, each released only after the sink is done', async () => {
  let active = 0;
  let maxActive = 0;
  const order: string[] = [];
  const inner = new HashingSink();
  const slowSink: AttachmentSink = {
    async save(content) {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 5)); // the scenario, not a wait: a slow sink
      const result = await inner.save(content);
      order.push(result.ref);
      active--;
      return result;
    },
  };
  const bodies = [Buffer.alloc(300_000, 1), Buffer.from('two'), Buffer.alloc(70_000, 3)];
  const message = await parse(withAttachments(...bodies.map((body, i) => ({ name: `f${i}.bin`, body }))), slowSink);
  assert.equal(maxActive, 1);
  assert.deepEqual(message.attachments.map((a) => [a.fileName, a.size]), [['f0.bin', 300_000], ['f1.bin', 3], ['f2.bin', 70_000]]);
  assert.deepEqual(message.attachments.map((a) => a.blobRef), order);
});

test('too many MIME parts reject with UnparseableMessageError naming the cause', async () => {
  const depth = 2000;
  const lines = ['From: a@example.com', 'Subject: deep', 'Content-Type: multipart/mixed; boundary="b0"', ''];
  for (let i = 1; i < depth; i++) lines.push(`--b${i - 1}`, `Content-Type: multipart/mixed; boundary="b${i}"`, '');
  lines.push(`--b${depth - 1}`, 'Content-Type: text/plain', '', 'bottom');
  await assert.rejects(parse(eml(...lines)), (err: unknown) => {
    assert.ok(err instanceof UnparseableMessageError);
    assert.equal(err.reason, 'parser');
    assert.match(err.message, /child nodes/i);
    return true;
  });
});

test('an oversized header block rejects with UnparseableMessageError', async () => {
  const raw = eml('From: a@example.com', `X-Huge: ${'x'.repeat(2 * 1024 * 1024)}`, '', 'body');
  await assert.rejects(parse(raw), (err: unknown) => err instanceof UnparseableMessageError && /header/i.test(err.message));
});

test('an attachment over maxAttachmentBytes rejects, and the sink sees a failed stream', async () => {
  const sinkErrors: unknown[] = [];
  const sink: AttachmentSink = {
    async save(content) {
      try {
        return await new HashingSink().save(content);
      } catch (err) {
        sinkErrors.push(err);
        throw new Error('sink wrapped the error'); // parse must still report the limit
      }
    },
  };
  const raw = withAttachments({ name: 'small.bin', body: Buffer.alloc(10) }, { name: 'big.bin', body: Buffer.alloc(200_000) });
  await assert.rejects(parse(raw, sink, 100_000), (err: unknown) => {
    assert.ok(err instanceof UnparseableMessageError);
    assert.equal(err.reason, 'attachment-too-large');
    assert.match(err.message, /big\.bin/);
    assert.match(err.message, /100000 bytes/);
    return true;
  });
  assert.equal(sinkErrors.length, 1);
  const ok = await parse(raw, new HashingSink(), 200_000);
  assert.deepEqual(ok.attachments.map((a) => a.size), [10, 200_000]);
});

test('a failing sink rejects with its own error (retryable), not UnparseableMessageError', async () => {
  const failure = new Error('disk full');
  const sink: AttachmentSink = {
    async save(content) {
      content.resume();
      throw failure;
    },
  };
  await assert.rejects(parse(withAttachments({ name: 'a.bin', body: Buffer.alloc(100_000) }), sink), (err: unknown) => err === failure);
});

test('a failing input stream rejects with its error', async () => {
  const failure = new Error('connection reset');
  async function* broken() {
    yield Buffer.from('From: a@example.com\r\nSubject: x\r\n\r\npartial body');
    throw failure;
  }
  await assert.rejects(parse(Readable.from(broken())), (err: unknown) => err === failure);
});

test('no unhandled errors escape from failing parses', async () => {
  const uncaught: unknown[] = [];
  const onError = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  try {
    const deep = ['Content-Type: multipart/mixed; boundary="b0"', ''];
    for (let i = 1; i < 1500; i++) deep.push(`--b${i - 1}`, `Content-Type: multipart/mixed; boundary="b${i}"`, '');
    const attempts = [
      parse(eml(...deep)),
      parse(withAttachments({ name: 'a.bin', body: Buffer.alloc(50_000) }), { save: async () => Promise.reject(new Error('no')) }),
      parse(withAttachments({ name: 'a.bin', body: Buffer.alloc(50_000) }), new HashingSink(), 10),
    ];
    const results = await Promise.allSettled(attempts);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
    // Not a wait for an event: a quiet period in which a late error (a stream destroyed after its parse
    // settled) would surface. An absence can only be watched for a while.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(uncaught, []);
  } finally {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  }
});
