// winmail.dat through parseMessage: the files inside become attachments of their own (the winmail.dat
// is kept too), and its body is the message's body when the message has none of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMessage, type Message } from '../../src/mail/index.js';
import { htmlToReadableText } from '../../src/mail/reply/html-text.js';
import { readMapiProperties } from '../../src/mail/tnef/mapi.js';
import { MAX_TNEF_FILES } from '../../src/mail/tnef/part.js';
import { corpusFile, corpusSkip } from '../support/mail-corpus.js';
import { KeepingSink } from '../support/mail-sink.js';
import { attribute, buildTnef, messageWithParts, PR, prop, storedRtf, u32 } from '../support/tnef.js';

const skip = corpusSkip();
const receivedAt = new Date('2024-05-06T07:08:09.000Z');

async function parse(raw: Buffer): Promise<{ message: Message; sink: KeepingSink }> {
  const sink = new KeepingSink();
  const message = await parseMessage(raw, { receivedAt, sink });
  return { message, sink };
}

const files = (message: Message) => message.attachments.map((a) => [a.fileName, a.contentType, a.size]);

test('rich-text.eml (1.1 MB): the picture and Outlook items inside winmail.dat become attachments; its own text stays', { skip }, async () => {
  const { message, sink } = await parse(corpusFile('mimekit/tnef/rich-text.eml'));
  assert.deepEqual(files(message), [
    ['winmail.dat', 'application/ms-tnef', 821421],
    ['kitten-playing-with-a-christmas-tree.jpg', 'image/jpeg', 375081],
    ['Untitled Attachment', 'application/ms-tnef', 6508],
    ['Untitled Attachment', 'application/ms-tnef', 385301],
  ]);
  assert.equal(sink.saved[1]!.subarray(0, 3).toString('hex'), 'ffd8ff', 'the JPEG bytes themselves');
  assert.match(message.text, /^\s*You've made this a Christmas to remember/);
});

test('ukr.eml: an HTML-only winmail.dat without files adds nothing; the KOI8-R text part stays the body', { skip }, async () => {
  const { message } = await parse(corpusFile('mimekit/tnef/ukr.eml'));
  assert.deepEqual(files(message), [['winmail.dat', 'application/ms-tnef', 9566]]);
  assert.match(message.text, /^шостий\n/);
  assert.equal(message.html, null);
});

test('a message that is only a winmail.dat reads as the body inside it (ukr.eml\'s HTML, KOI8-R)', { skip }, async () => {
  const winmail = (await parse(corpusFile('mimekit/tnef/ukr.eml'))).sink.saved[0]!;
  const { message } = await parse(messageWithParts({ type: 'application/ms-tnef', name: 'winmail.dat', body: winmail }));
  assert.match(message.html ?? '', /<p>шостий<\/p>/);
  assert.match(message.text, /^шостий\n\n\{EMAILSIGNATURE\}\n\nRR Test 1$/);
});

test('the redmine "bare application/ms-tnef" fixtures are not TNEF ("Fixture"): kept as winmail.dat, nothing invented', { skip }, async () => {
  for (const name of ['redmine/no_subject_header.eml', 'redmine/subject_as_iso-8859-1.eml']) {
    const { message, sink } = await parse(corpusFile(name));
    assert.deepEqual(files(message), [['winmail.dat', 'application/ms-tnef', 8]], name);
    assert.equal(sink.saved[0]!.toString(), 'Fixture\n', name);
    assert.equal(message.text, '', name);
  }
});

test('the body of a winmail.dat-only message: plain text first, else text from its RTF; a message with text keeps its own', async () => {
  const plain = buildTnef({ messageProps: [prop.unicode(PR.BODY, 'Plain body'), prop.binary(PR.RTF_COMPRESSED, storedRtf('{\\rtf1 RTF body}'))] });
  assert.equal((await parse(messageWithParts({ type: 'application/ms-tnef', name: 'winmail.dat', body: plain }))).message.text, 'Plain body');
  const rtfOnly = buildTnef({ messageProps: [prop.binary(PR.RTF_COMPRESSED, storedRtf('{\\rtf1\\ansi First line\\par Second \\u8364?}'))] });
  const fromRtf = (await parse(messageWithParts({ type: 'application/ms-tnef', name: 'winmail.dat', body: rtfOnly }))).message;
  assert.equal(fromRtf.text, 'First line\nSecond €');
  assert.equal(fromRtf.html, null);
  const own = (await parse(messageWithParts({ type: 'text/plain; charset=utf-8', body: Buffer.from('My own words') }, { type: 'application/ms-tnef', name: 'winmail.dat', body: plain }))).message;
  assert.equal(own.text, 'My own words');
});

test('files inside a winmail.dat go through the sink in order, after it, with safe names and types from their names', async () => {
  const tnef = buildTnef({
    attachments: [
      { title: Buffer.from('REPORT~1.CSV'), data: Buffer.from('a,b\n1,2\n'), props: [prop.unicode(PR.ATTACH_LONG_FILENAME, '../report 2024.csv')] },
      { title: Buffer.from('logo.png'), data: Buffer.alloc(300, 1) },
    ],
  });
  const raw = messageWithParts({ type: 'text/plain', body: Buffer.from('see attached') }, { type: 'application/vnd.ms-tnef', name: 'winmail.dat', body: tnef });
  const { message, sink } = await parse(raw);
  // The name is made safe like any other: no path.
  assert.deepEqual(files(message), [
    ['winmail.dat', 'application/vnd.ms-tnef', tnef.length],
    ['report 2024.csv', 'text/csv', 8],
    ['logo.png', 'image/png', 300],
  ]);
  assert.equal(sink.saved[1]!.toString(), 'a,b\n1,2\n');
});

test('a damaged winmail.dat stays an opaque attachment and never fails the message', async () => {
  const cut = buildTnef({ messageProps: [prop.unicode(PR.BODY, 'body')], attachments: [{ title: Buffer.from('a.txt'), data: Buffer.from('A') }] });
  for (const bytes of [cut.subarray(0, 40), Buffer.concat([cut.subarray(0, 6), Buffer.alloc(64, 0xff)])]) {
    const { message } = await parse(messageWithParts({ type: 'application/ms-tnef', name: 'winmail.dat', body: bytes }));
    assert.equal(message.attachments[0]?.fileName, 'winmail.dat');
  }
});

test('a 53-byte winmail.dat whose named property claims a name of 0xFFFFFFE0 bytes stays an opaque attachment (review 11 #1)', async () => {
  // count 0xFFFFFFFF | PT_LONG, id 0x8000 (named) | GUID | kind 1 (a name) | name length 0xFFFFFFE0 | a value.
  // Read with 32-bit padding, that length was -32: the reader stepped back and read the same bytes
  // again until the count ran out, 4 billion times. Now a length past the end ends the list, and the
  // count is bounded by what the bytes can hold (below); a reader that loops again runs into the
  // suite's per-test timeout, not into a clock of this test's own.
  const props = Buffer.concat([u32(0xffffffff), u32(0x80000003), Buffer.alloc(16, 0xab), u32(1), u32(0xffffffe0), u32(7)]);
  assert.deepEqual(readMapiProperties(props), []);
  const winmail = Buffer.concat([buildTnef({}).subarray(0, 6), attribute(1, 0x9003, props)]);
  assert.equal(winmail.length, 53);
  const { message } = await parse(messageWithParts({ type: 'application/ms-tnef', name: 'winmail.dat', body: winmail }));
  assert.deepEqual(message.attachments.map((a) => a.fileName), ['winmail.dat']);
  assert.equal(message.text, '');
});

test('a property list declaring 4 billion properties is read for as many as its bytes hold', () => {
  // Three PT_LONG properties (id, type, a 4-byte value each) after a count of 0xFFFFFFFF.
  const longs = [1, 2, 3].map((n) => Buffer.concat([u32((0x3001 + n) * 0x10000 + 0x0003), u32(n)]));
  const read = readMapiProperties(Buffer.concat([u32(0xffffffff), ...longs]));
  assert.deepEqual(read.map((p) => [p.id, p.value.readUInt32LE(0)]), [[0x3002, 1], [0x3003, 2], [0x3004, 3]]);
});

test('a recorded MIME type is used only when shaped type/subtype (at most 127 characters); else the name decides; a long Content-ID is dropped (review 11 #18)', async () => {
  const file = (name: string, type: string, contentId?: string) => ({
    title: Buffer.from(name),
    data: Buffer.from('x'),
    props: [prop.string8(PR.ATTACH_MIME_TAG, Buffer.from(type)), ...(contentId ? [prop.string8(PR.ATTACH_CONTENT_ID, Buffer.from(contentId))] : [])],
  });
  const tnef = buildTnef({
    attachments: [
      file('a.pdf', 'Application/PDF', 'image001.png@01DA0000.12345678'),
      file('b.png', 'image/png; name="b.png"'),
      file('c.pdf', 'text/html\r\nX-Injected: 1'),
      file('d.png', `image/${'x'.repeat(130)}`, `${'c'.repeat(300)}@example.com`),
      file('e.csv', 'not a type'),
      file('f.txt', 'text/ plain', 'has space@example.com'),
    ],
  });
  const { message } = await parse(messageWithParts({ type: 'application/ms-tnef', name: 'winmail.dat', body: tnef }));
  assert.deepEqual(
    message.attachments.slice(1).map((a) => [a.fileName, a.contentType, a.contentId]),
    [
      ['a.pdf', 'application/pdf', 'image001.png@01DA0000.12345678'],
      ['b.png', 'image/png', null],
      ['c.pdf', 'application/pdf', null],
      ['d.png', 'image/png', null],
      ['e.csv', 'text/csv', null],
      ['f.txt', 'text/plain', null],
    ],
  );
});

test('an HTML-only winmail.dat body is text made from HTML, as for an HTML-only MIME message: textFromHtml, one converter (review 11 #17)', async () => {
  const html = '<html><head><style>p{color:red}</style></head><body><h1>Status</h1><p>The export failed.</p><blockquote>On Monday Bob wrote:<br>is it fixed?</blockquote></body></html>';
  const tnef = buildTnef({ messageProps: [prop.unicode(PR.HTML, html)] });
  const { message } = await parse(messageWithParts({ type: 'application/ms-tnef', name: 'winmail.dat', body: tnef }));
  assert.equal(message.html, html);
  assert.equal(message.textFromHtml, true, 'reply splitting then reads the HTML, where the quote is marked');
  assert.equal(message.text, htmlToReadableText(html));
  assert.match(message.text, /^Status\n\nThe export failed\.\n/);
  // Text of its own (plain or RTF) is not text from HTML.
  const withText = buildTnef({ messageProps: [prop.unicode(PR.BODY, 'Plain'), prop.unicode(PR.HTML, html)] });
  assert.equal((await parse(messageWithParts({ type: 'application/ms-tnef', name: 'winmail.dat', body: withText }))).message.textFromHtml, false);
});

test('at most MAX_TNEF_FILES files come out of one winmail.dat; the rest stay inside it, kept whole', async () => {
  const count = MAX_TNEF_FILES + 3;
  const tnef = buildTnef({ attachments: Array.from({ length: count }, (_, i) => ({ title: Buffer.from(`f${i}.txt`), data: Buffer.from(`${i}`) })) });
  const raw = messageWithParts({ type: 'text/plain', body: Buffer.from('many files') }, { type: 'application/vnd.ms-tnef', name: 'winmail.dat', body: tnef });
  const { message } = await parse(raw);
  assert.equal(message.attachments.length, 1 + MAX_TNEF_FILES);
  assert.deepEqual(files(message)[0], ['winmail.dat', 'application/vnd.ms-tnef', tnef.length]);
  assert.equal(message.attachments.at(-1)!.fileName, `f${MAX_TNEF_FILES - 1}.txt`);
});
