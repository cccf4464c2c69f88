// Line endings the parser is shown: bare CR (old Mac mailers) and mixed CR/LF/CRLF read like CRLF,
// while the raw bytes (size, hash) stay what was received.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { test } from 'node:test';
import { BareCrToCrlf } from '../../src/mail/line-endings.js';
import { parseMessage, type Message } from '../../src/mail/index.js';
import { corpusFile, corpusSkip } from '../support/mail-corpus.js';
import { HashingSink } from '../support/mail-sink.js';

const skip = corpusSkip();
const receivedAt = new Date('2024-05-06T07:08:09.000Z');

const parse = (raw: Buffer | NodeJS.ReadableStream): Promise<Message> => parseMessage(raw, { receivedAt, sink: new HashingSink() });

/** The same message with every line break written as `ending` (in memory; the corpus stays as it is). */
function withLineEndings(raw: Buffer, ending: (lineIndex: number) => string): Buffer {
  const lines = raw.toString('latin1').split(/\r\n|\n|\r/);
  return Buffer.from(lines.map((line, i) => (i < lines.length - 1 ? line + ending(i) : line)).join(''), 'latin1');
}

/** What rules see of a message: everything but the raw size and the hash-derived id. */
function view(message: Message) {
  const { size: _size, ...rest } = message;
  return rest;
}

async function normalised(input: Buffer[]): Promise<string> {
  return text(Readable.from(input).pipe(new BareCrToCrlf()));
}

test('a bare-CR message reads like its CRLF original: headers, text, date', { skip }, async () => {
  const original = corpusFile('redmine/ticket_reply.eml');
  const bareCr = withLineEndings(original, () => '\r');
  const expected = await parse(withLineEndings(original, () => '\r\n'));
  const message = await parse(bareCr);
  assert.equal(message.subject, 'Re: Add ingredients categories');
  assert.deepEqual(message.from, { name: 'John Smith', address: 'jsmith@somenet.foo' });
  assert.match(message.text, /This is reply/);
  assert.deepEqual(view(message), view(expected));
});

test('a bare-CR multipart message keeps its parts: text, html and the attachment, byte for byte', { skip }, async () => {
  const original = corpusFile('redmine/ticket_with_attachment.eml');
  const expected = await parse(withLineEndings(original, () => '\r\n'));
  const message = await parse(withLineEndings(original, () => '\r'));
  assert.equal(message.subject, 'Ticket created by email with attachment');
  assert.match(message.text, /This is {2}a new ticket with attachments/);
  assert.deepEqual(
    message.attachments.map((a) => [a.fileName, a.contentType, a.size]),
    [['Paella.jpg', 'image/jpeg', 10790]],
  );
  assert.deepEqual(view(message), view(expected));
});

test('mixed CR, LF and CRLF line endings in one message read like CRLF', { skip }, async () => {
  const original = corpusFile('redmine/ticket_with_attachment.eml');
  const expected = await parse(withLineEndings(original, () => '\r\n'));
  // A CR is always followed by a CRLF line here: CR then an empty LF line would be one CRLF, not two.
  const mixed = withLineEndings(original, (i) => ['\n', '\r', '\r\n'][i % 3]!);
  assert.deepEqual(view(await parse(mixed)), view(expected));
});

test('the raw bytes stay as received: size and the synthesised Message-ID come from the bare-CR bytes', async () => {
  const raw = Buffer.from('From: a@example.com\rSubject: old Mac\r\rfirst line\rsecond line\r', 'latin1');
  const message = await parse(raw);
  assert.equal(message.subject, 'old Mac');
  assert.deepEqual(message.from, { name: '', address: 'a@example.com' });
  assert.match(message.text, /^first line\r?\nsecond line/);
  assert.equal(message.size, raw.length);
  assert.equal(message.messageId, `${createHash('sha256').update(raw).digest('hex').slice(0, 32)}@mailbind.invalid`);
});

test('bare CR becomes CRLF; CRLF and LF pass unchanged, also when a CR ends one chunk', async () => {
  assert.equal(await normalised([Buffer.from('a\rb\nc\r\nd\r')]), 'a\r\nb\nc\r\nd\r\n');
  // CR at the end of a chunk: the next chunk decides whether it was already part of a CRLF.
  assert.equal(await normalised([Buffer.from('a\r'), Buffer.from('\nb')]), 'a\r\nb');
  assert.equal(await normalised([Buffer.from('a\r'), Buffer.from('b')]), 'a\r\nb');
  assert.equal(await normalised([Buffer.from('a\r'), Buffer.from('\r'), Buffer.from('\n')]), 'a\r\n\r\n');
  const whole = Buffer.from('x\r\ry\r\n\rz\n\r');
  const oneByteAtATime = [...whole].map((b) => Buffer.from([b]));
  assert.equal(await normalised(oneByteAtATime), await normalised([whole]));
  assert.equal(await normalised([whole]), 'x\r\n\r\ny\r\n\r\nz\n\r\n');
});
