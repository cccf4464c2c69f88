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
