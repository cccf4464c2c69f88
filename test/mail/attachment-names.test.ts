// Attachment names written as raw 8-bit bytes (no RFC 2047 or RFC 2231, as some webmailers send them)
// follow the rule for 8-bit headers: UTF-8 when the bytes are valid UTF-8, else the part's charset,
// else Windows-1252. Encoded names keep decoding as their encoding says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMessage } from '../../src/mail/index.js';
import { HashingSink } from '../support/mail-sink.js';

const receivedAt = new Date('2024-05-06T07:08:09.000Z');

/** A message whose only attachment has the given part header lines (bytes as written, latin1 = one char per byte). */
function withPartHeaders(...headerLines: string[]): Buffer {
  const head = [
    'From: a@example.com',
    'Subject: names',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'see attached',
    '--b',
    ...headerLines,
    'Content-Transfer-Encoding: base64',
    '',
    'aGVsbG8=',
    '--b--',
    '',
  ];
  return Buffer.from(head.join('\r\n'), 'latin1');
}

const utf8Bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

async function fileNames(...headerLines: string[]): Promise<string[]> {
  const message = await parseMessage(withPartHeaders(...headerLines), { receivedAt, sink: new HashingSink() });
  return message.attachments.map((a) => a.fileName);
}

test('raw Windows-1252 file name bytes decode as Windows-1252 (not Latin-1 with the C1 characters dropped)', async () => {
  // 0x96 is an en dash and 0x80 the euro sign in Windows-1252; both are invisible controls in Latin-1.
  assert.deepEqual(
    await fileNames('Content-Type: application/pdf', 'Content-Disposition: attachment; filename="Pr\xfcfung \x96 Kosten \x80.pdf"'),
    ['Prüfung – Kosten €.pdf'],
  );
  assert.deepEqual(await fileNames('Content-Type: application/pdf; name="R\xe9sum\xe9 \x93final\x94.pdf"'), ['Résumé “final”.pdf']);
});

test("raw 8-bit name bytes that are not UTF-8 decode in the part's declared charset", async () => {
  // ISO-8859-2: 0xAE Ž, 0xBB ť, 0xE8 č, 0xFD ý.
  assert.deepEqual(
    await fileNames('Content-Type: text/plain; charset=iso-8859-2; name="\xaelu\xbbou\xe8k\xfd.txt"', 'Content-Disposition: attachment'),
    ['Žluťoučký.txt'],
  );
});

test('raw UTF-8 file names decode as UTF-8, in either header, quoted, unquoted or folded', async () => {
  assert.deepEqual(
    await fileNames('Content-Type: application/pdf', `Content-Disposition: attachment; filename="${utf8Bytes('Prüfung – Überblick.pdf')}"`),
    ['Prüfung – Überblick.pdf'],
  );
  assert.deepEqual(await fileNames(`Content-Type: application/pdf; name=${utf8Bytes('見積書.pdf')}`), ['見積書.pdf']);
  assert.deepEqual(
    await fileNames('Content-Type: application/pdf', 'Content-Disposition: attachment;', `\tfilename="${utf8Bytes('Ärger mit Öl.pdf')}"`),
    ['Ärger mit Öl.pdf'],
  );
});

test('RFC 2231 (with continuations) and RFC 2047 names decode as encoded, also next to raw 8-bit bytes', async () => {
  assert.deepEqual(
    await fileNames('Content-Type: application/pdf', "Content-Disposition: attachment;", " filename*0*=iso-8859-1''Pr%FC;", ' filename*1*=fung%20%E9.pdf'),
    ['Prüfung é.pdf'],
  );
  assert.deepEqual(await fileNames('Content-Type: application/pdf', 'Content-Disposition: attachment; filename="=?iso-8859-1?Q?Pr=FCfung.pdf?="'), ['Prüfung.pdf']);
  // An encoded name whose decoded characters would also read as UTF-8 bytes is not decoded twice.
  assert.deepEqual(await fileNames('Content-Type: application/pdf', 'Content-Disposition: attachment; filename="=?iso-8859-1?Q?=C3=A9t=C3=A9.txt?="'), ['Ã©tÃ©.txt']);
  // A raw Windows-1252 byte in another parameter does not change how the encoded name decodes.
  assert.deepEqual(
    await fileNames('Content-Type: application/pdf; x-note="caf\xe9 \x80"', "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC%20Rechnung.pdf"),
    ['€ Rechnung.pdf'],
  );
});
