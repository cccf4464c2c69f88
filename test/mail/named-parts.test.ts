// A part with a file name is a file: stored through the sink and listed in `attachments`, never merged
// into the body text, whatever its type or disposition (mailparser merges named inline text parts).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { parseMessage, type Message } from '../../src/mail/index.js';
import { corpusFile, corpusSkip } from '../support/mail-corpus.js';
import { HashingSink } from '../support/mail-sink.js';

const skip = corpusSkip();
const receivedAt = new Date('2024-05-06T07:08:09.000Z');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const eml = (...lines: string[]) => Buffer.from(lines.join('\r\n'));

async function parseWithSink(raw: Buffer): Promise<{ message: Message; sink: HashingSink }> {
  const sink = new HashingSink();
  return { message: await parseMessage(raw, { receivedAt, sink }), sink };
}

const poem = 'a simple kind of mirror\nto reflect upon our own\n';

test('text/plain parts named by Content-Disposition "inline; filename=" are files, not body text (cpython msg_04)', { skip }, async () => {
  const { message, sink } = await parseWithSink(corpusFile('cpython-email/msg_04.txt'));
  assert.equal(message.text, '');
  assert.deepEqual(
    message.attachments.map((a) => [a.fileName, a.contentType, a.inline, a.blobRef]),
    [
      ['msg.txt', 'text/plain', true, sha256(poem)],
      ['msg.txt', 'text/plain', true, sha256(poem)],
    ],
  );
  assert.equal(sink.saved.length, 2);
});

test('text/plain parts named only by Content-Type name= are files too (cpython msg_44)', { skip }, async () => {
  const { message } = await parseWithSink(corpusFile('cpython-email/msg_44.txt'));
  assert.equal(message.text, '');
  assert.deepEqual(
    message.attachments.map((a) => [a.fileName, a.contentType, a.inline, a.blobRef]),
    [
      ['msg.txt', 'text/plain', false, sha256(poem)],
      ['msg.txt', 'text/plain', false, sha256(poem)],
    ],
  );
});

test('unnamed text parts are still the body, around named files (redmine multiple_text_parts)', { skip }, async () => {
  const { message } = await parseWithSink(corpusFile('redmine/multiple_text_parts.eml'));
  assert.deepEqual(message.attachments.map((a) => a.fileName), ['1st.pdf', '2nd.pdf', 'textfile.txt']);
  assert.match(message.text, /^The first text part\.\n+The second text part\.\n+The third one\.\s*$/);
});

test('a named inline text part with an RFC 2231 continued name is a file; the body keeps only the unnamed text', async () => {
  const { message } = await parseWithSink(
    eml(
      'From: a@example.com',
      'Subject: log attached',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Here is the log.',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Disposition: inline;',
      " filename*0*=utf-8''Pr%C3%BCfung%20des;",
      ' filename*1*=%20Servers.log',
      '',
      'ERROR disk full',
      '--b',
      'Content-Type: text/html; charset=utf-8; name="page.html"',
      '',
      '<p>saved page</p>',
      '--b--',
      '',
    ),
  );
  assert.equal(message.text, 'Here is the log.');
  assert.equal(message.html, null);
  assert.deepEqual(
    message.attachments.map((a) => [a.fileName, a.contentType, a.inline, a.blobRef]),
    [
      ['Prüfung des Servers.log', 'text/plain', true, sha256('ERROR disk full')],
      ['page.html', 'text/html', false, sha256('<p>saved page</p>')],
    ],
  );
});

test('a message whose only part is a named text part reads it as its body, and keeps the file exactly as sent (review 11 #16)', async () => {
  const singlePart = (contentType: string) =>
    Buffer.concat([
      eml('From: a@example.com', 'Subject: server down', 'MIME-Version: 1.0', `Content-Type: ${contentType}`, 'Content-Transfer-Encoding: 8bit', '', ''),
      Buffer.from('Grüße,\r\nthe server is down.\r\n', 'latin1'),
    ]);
  const unnamed = (await parseWithSink(singlePart('text/plain; charset=iso-8859-1'))).message;
  const { message, sink } = await parseWithSink(singlePart('text/plain; charset=iso-8859-1; name="body.txt"'));
  assert.equal(message.text, unnamed.text);
  assert.match(message.text, /^Grüße,\nthe server is down\.\n?$/);
  assert.equal(message.textFromHtml, false);
  assert.deepEqual(message.attachments.map((a) => [a.fileName, a.contentType, a.inline]), [['body.txt', 'text/plain', false]]);
  const sentBytes = createHash('sha256').update(Buffer.from('Grüße,\r\nthe server is down.\r\n', 'latin1')).digest('hex');
  assert.deepEqual(sink.saved.map((s) => s.ref), [sentBytes], 'the file is the bytes as sent, in their charset');
});

test('a message whose only part is a named HTML part reads it as its HTML body, text made from it', async () => {
  const raw = eml('From: a@example.com', 'Subject: page', 'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8; name="page.html"', '', '<p>The export failed.</p><p>Ann</p>', '');
  const { message } = await parseWithSink(raw);
  assert.equal(message.html, '<p>The export failed.</p><p>Ann</p>\n');
  assert.match(message.text, /^The export failed\.\n\nAnn$/);
  assert.equal(message.textFromHtml, true);
  assert.deepEqual(message.attachments.map((a) => a.fileName), ['page.html']);
});

test('a single-part message marked "attachment" stays a file only: the sender said it is not the body', async () => {
  const raw = eml('From: a@example.com', 'Subject: export', 'MIME-Version: 1.0', 'Content-Type: text/plain; name="export.txt"', 'Content-Disposition: attachment; filename="export.txt"', '', 'a,b', '');
  const { message } = await parseWithSink(raw);
  assert.equal(message.text, '');
  assert.deepEqual(message.attachments.map((a) => a.fileName), ["export.txt"]);
});
