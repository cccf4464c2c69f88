// The TNEF reader on streams built record by record: names, types and bytes of the files inside,
// bodies in their code pages, embedded items, and streams whose declared lengths lie.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readTnef } from '../../../src/mail/tnef/reader.js';
import { attribute, buildTnef, encodeIn, mapiProps, PR, prop, u32 } from '../../support/tnef.js';

test('files come out with their long name, recorded MIME type and bytes; the title is the fallback name', () => {
  const pdf = Buffer.from('%PDF-1.4 report');
  const tnef = readTnef(
    buildTnef({
      attachments: [
        { title: Buffer.from('QUARTE~1.PDF'), data: pdf, props: [prop.unicode(PR.ATTACH_LONG_FILENAME, 'Quarterly report.pdf'), prop.string8(PR.ATTACH_MIME_TAG, Buffer.from('application/pdf'))] },
        { title: Buffer.from('notes.txt'), data: Buffer.from('plain notes') },
      ],
    }),
  );
  assert.deepEqual(
    tnef?.attachments.map((a) => [a.fileName, a.contentType, a.embeddedMessage, a.data.toString()]),
    [
      ['Quarterly report.pdf', 'application/pdf', false, '%PDF-1.4 report'],
      ['notes.txt', null, false, 'plain notes'],
    ],
  );
});

test('8-bit strings decode in the TNEF code page: body, titles and names', () => {
  const tnef = readTnef(
    buildTnef({
      codepage: 1251,
      messageProps: [prop.string8(PR.BODY, encodeIn('windows-1251', 'Привет, мир'))],
      attachments: [{ title: encodeIn('windows-1251', 'отчёт.txt'), data: Buffer.from('x') }],
    }),
  );
  assert.equal(tnef?.body.text, 'Привет, мир');
  assert.equal(tnef?.attachments[0]?.fileName, 'отчёт.txt');
});

test('the HTML body decodes in the Internet code page; old writers put plain text in attBody', () => {
  const html = readTnef(buildTnef({ codepage: 1252, messageProps: [prop.long(PR.INTERNET_CPID, 20866), prop.binary(PR.HTML, Buffer.from('<p>\xdb\xcf\xd3\xd4\xc9\xca</p>', 'latin1'))] }));
  assert.equal(html?.body.html, '<p>шостий</p>');
  assert.equal(html?.body.text, null);
  const old = readTnef(buildTnef({ codepage: 1252, attBody: Buffer.from('caf\xe9\0', 'latin1') }));
  assert.equal(old?.body.text, 'café');
});

test('an embedded Outlook item is kept whole: its TNEF after the 16-byte interface id', () => {
  const inner = buildTnef({ messageProps: [prop.unicode(PR.BODY, 'inner')] });
  const tnef = readTnef(
    buildTnef({
      attachments: [{ title: Buffer.from('Untitled Attachment'), props: [prop.long(PR.ATTACH_METHOD, 5), prop.object(PR.ATTACH_DATA, Buffer.concat([Buffer.alloc(16, 7), inner]))] }],
    }),
  );
  assert.equal(tnef?.attachments[0]?.embeddedMessage, true);
  assert.equal(tnef?.attachments[0]?.fileName, 'Untitled Attachment');
  assert.deepEqual(tnef?.attachments[0]?.data, inner);
  assert.equal(readTnef(tnef!.attachments[0]!.data)?.body.text, 'inner');
});

test('bytes without the TNEF signature are not TNEF (the redmine fixtures hold "Fixture")', () => {
  assert.equal(readTnef(Buffer.from('Fixture\n')), null);
  assert.equal(readTnef(Buffer.alloc(0)), null);
});

test('lying lengths and counts end the stream where its bytes end, without allocating or throwing', () => {
  const good = buildTnef({ attachments: [{ title: Buffer.from('a.txt'), data: Buffer.from('A') }] });
  // An attribute claiming 4 GiB of data after the good ones: ignored.
  const lyingAttribute = Buffer.concat([good, Buffer.from([2]), u32(0x0006800f), u32(0xffffffff), Buffer.from('short')]);
  assert.deepEqual(readTnef(lyingAttribute)?.attachments.map((a) => a.fileName), ['a.txt']);
  // A property list claiming 4 billion properties, and a value claiming 4 GiB.
  const hugeCount = Buffer.concat([u32(0xffffffff), mapiProps([prop.unicode(PR.BODY, 'kept')]).subarray(4)]);
  const hugeValue = Buffer.concat([u32(1), Buffer.from([0x1f, 0x00, 0x00, 0x10]), u32(1), u32(0xfffffff0), Buffer.from('ab')]);
  const signature = buildTnef({}).subarray(0, 6);
  assert.equal(readTnef(Buffer.concat([signature, attribute(1, 0x9003, hugeCount)]))?.body.text, 'kept');
  assert.equal(readTnef(Buffer.concat([signature, attribute(1, 0x9003, hugeValue)]))?.body.text, null);
  // Cut anywhere, a stream reads without throwing.
  const whole = buildTnef({ codepage: 1252, messageProps: [prop.unicode(PR.BODY, 'body')], attachments: [{ title: Buffer.from('t.bin'), data: Buffer.alloc(100, 1), props: [prop.unicode(PR.ATTACH_LONG_FILENAME, 'long.bin')] }] });
  for (let cut = 0; cut <= whole.length; cut++) readTnef(whole.subarray(0, cut));
});

test('a named property whose name length is above 2^31 ends the list instead of moving the reader back (review 11 #1)', () => {
  const signature = buildTnef({}).subarray(0, 6);
  const named = (nameLength: number) => Buffer.concat([u32(0x80000003), Buffer.alloc(16, 0xab), u32(1), u32(nameLength)]);
  const body = mapiProps([prop.unicode(PR.BODY, 'after')]).subarray(4);
  // Three properties: a named one with a 4-byte name, a named one with a lying length, then the body.
  const lying = Buffer.concat([u32(3), named(4), Buffer.from('n\0a\0'), u32(1), named(0xffffffe0), u32(7), body]);
  const started = performance.now();
  const tnef = readTnef(Buffer.concat([signature, attribute(1, 0x9003, lying)]));
  assert.ok(performance.now() - started < 1000);
  assert.equal(tnef?.body.text, null, 'the lie ends the list: the body after it is not read');
  // The same list with an honest name length reads through to the body.
  const honest = Buffer.concat([u32(3), named(4), Buffer.from('n\0a\0'), u32(1), named(2), Buffer.from('b\0\0\0'), u32(7), body]);
  assert.equal(readTnef(Buffer.concat([signature, attribute(1, 0x9003, honest)]))?.body.text, 'after');
});

test('a multi-valued property claiming 4 billion values ends the list; 500,000 properties are read whole', () => {
  const signature = buildTnef({}).subarray(0, 6);
  const manyValues = Buffer.concat([u32(2), u32(0x12341002), u32(0xffffffff), u32(1), mapiProps([prop.unicode(PR.BODY, 'x')]).subarray(4)]);
  assert.equal(readTnef(Buffer.concat([signature, attribute(1, 0x9003, manyValues)]))?.body.text, null);
  // Spread into push(), a list this long overflowed the call stack and the whole winmail.dat was lost.
  const filler = Array.from({ length: 500_000 }, () => prop.long(0x6000, 1));
  const long = mapiProps([...filler, prop.unicode(PR.BODY, 'last')]);
  assert.equal(readTnef(Buffer.concat([signature, attribute(1, 0x9003, long)]))?.body.text, 'last');
});
