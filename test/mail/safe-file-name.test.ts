import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_FILE_NAME_BYTES, safeFileName } from '../../src/mail/index.js';

const cases: [string, string | null | undefined, string, string][] = [
  // [what, input, content type, expected]
  ['unix traversal keeps only the last component', '../../etc/passwd', 'text/plain', 'passwd'],
  ['windows path keeps only the file', 'C:\\x\\y.pdf', 'application/pdf', 'y.pdf'],
  ['mixed separators', 'a/b\\c/d.txt', 'text/plain', 'd.txt'],
  ['leading dot is dropped (hidden file)', '.htaccess', 'text/plain', 'htaccess'],
  ['several leading dots and spaces', ' ...  x.txt', 'text/plain', 'x.txt'],
  ['trailing dots and spaces are dropped', 'report.pdf. . ', 'application/pdf', 'report.pdf'],
  ['control characters are removed', 'a\u0000b\u0007c\r\n\td.txt', 'text/plain', 'abcd.txt'],
  ['C1 controls are removed', 'a\u0085b.txt', 'text/plain', 'ab.txt'],
  ['right-to-left override cannot disguise the extension', 'invoice\u202Efdp.exe', 'application/octet-stream', 'invoicefdp.exe'],
  ['reserved characters are removed', 'a<b>c:d"e|f?g*h.txt', 'text/plain', 'abcdefgh.txt'],
  ['Windows device name gets a prefix', 'CON.txt', 'text/plain', '_CON.txt'],
  ['non-ASCII is kept (NFC)', 'cie\u0308le.txt', 'text/plain', 'ciële.txt'],
  ['empty name falls back by content type', '', 'application/pdf', 'attachment.pdf'],
  ['missing name falls back by content type', undefined, 'image/png', 'attachment.png'],
  ['null name with unknown type', null, 'application/x-something-odd', 'attachment.bin'],
  ['only dots', '...', 'application/octet-stream', 'attachment.bin'],
  ['only a directory', 'dir/', 'text/plain', 'attachment.txt'],
  ['embedded message', '', 'message/rfc822', 'attachment.eml'],
  ['unknown text type is still text', '', 'text/rfc822-headers', 'attachment.txt'],
  ['content type parameters are ignored', '', 'image/jpeg; name=x', 'attachment.jpeg'],
];

for (const [what, input, type, expected] of cases) {
  test(`safeFileName: ${what}`, () => {
    assert.equal(safeFileName(input, type), expected);
  });
}

test('safeFileName: a 300-character name is cut to 200 bytes and keeps its extension', () => {
  const name = `${'a'.repeat(300)}.pdf`;
  const safe = safeFileName(name, 'application/pdf');
  assert.equal(Buffer.byteLength(safe), MAX_FILE_NAME_BYTES);
  assert.ok(safe.endsWith('.pdf'));
  assert.equal(safe, `${'a'.repeat(196)}.pdf`);
});

test('safeFileName: multi-byte names are cut on a character boundary', () => {
  const name = `${'ä'.repeat(150)}.txt`; // 300 bytes of stem
  const safe = safeFileName(name, 'text/plain');
  assert.ok(Buffer.byteLength(safe) <= MAX_FILE_NAME_BYTES);
  assert.ok(safe.endsWith('.txt'));
  assert.ok(!safe.includes('\uFFFD'));
  assert.equal(safe, `${'ä'.repeat(98)}.txt`);
});

test('safeFileName: an over-long "extension" is not kept as one', () => {
  const name = `x.${'y'.repeat(300)}`;
  const safe = safeFileName(name, 'text/plain');
  assert.equal(Buffer.byteLength(safe), MAX_FILE_NAME_BYTES);
  assert.ok(safe.startsWith('x.yyy'));
});

test('safeFileName: output never contains separators, controls or reserved characters', () => {
  const nasty = ['/', '\\', '\u0000', '\n', '<', '>', ':', '"', '|', '?', '*', '.', ' ', 'a', 'é', '\u202E'];
  let seed = 7;
  for (let i = 0; i < 500; i++) {
    let name = '';
    for (let j = 0; j < 12; j++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      name += nasty[seed % nasty.length];
    }
    const safe = safeFileName(name, 'text/plain');
    assert.ok(safe.length > 0, JSON.stringify(name));
    assert.doesNotMatch(safe, /[/\\\u0000-\u001f<>:"|?*\u202E]/, JSON.stringify(name));
    assert.doesNotMatch(safe, /^[.\s]/, JSON.stringify(name));
  }
});
