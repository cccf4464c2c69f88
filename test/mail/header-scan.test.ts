// looksLikeMessage: the judge deliver and import share for "is this mail at all"; scanHeaders: the
// fields intake labels a message with, read from its header block only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { looksLikeMessage, messageIdOf, scanHeaders, scanMessageId } from '../../src/mail/header-scan.js';

test('mail starts with a header field or an mbox From line; anything else is not mail', () => {
  const cases: Array<[string | Buffer, boolean]> = [
    ['From: a@example.com\r\nSubject: hi\r\n\r\nbody', true],
    ['Received: from x\n\tby y\nSubject: hi\n\nbody', true],
    ['From alice@example.com Tue Nov 24 10:00:00 2026\nFrom: a@example.com\n\nbody', true],
    // RFC 822's obsolete syntax allowed white space before the colon (mime4j's obsolete.msg).
    ['Subject :The obsolete syntax\nFrom: a@example.com\n\nbody', true],
    // A UTF-8 byte order mark before the first field (mimekit's feedback-report.txt).
    [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('From: <abuse@example.com>\n\nbody')]), true],
    ['', false],
    ['This is a simple message not having headers\n', false],
    ['Hello world: this line has a colon later\n', false],
    [': empty name\n', false],
    ['\nFrom: a@example.com\n', false],
    [Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), false],
  ];
  for (const [input, expected] of cases) {
    const head = typeof input === 'string' ? Buffer.from(input) : input;
    assert.equal(looksLikeMessage(head), expected, JSON.stringify(head.toString('latin1').slice(0, 40)));
  }
});

// scanHeaders turns only the header block into a string. Its blank-line search over bytes must end the
// block where the whole-string search it replaced did (`\r?\n\r?\n|\r\r` over the first 256 KiB).
test('the header block ends at the first blank line, whatever the line endings; the body is never read as fields', () => {
  const reference = (raw: Buffer) => {
    const head = raw.subarray(0, 256 * 1024).toString('latin1');
    const end = head.search(/\r?\n\r?\n|\r\r/);
    return end >= 0 ? end : head.length;
  };
  const endings = ['\r\n', '\n', '\r'];
  let checked = 0;
  for (const a of endings) {
    for (const b of endings) {
      for (const c of [...endings, '']) {
        const raw = Buffer.from(`Subject: one${a}X-Folded: a${a}\tb${a}${b}${c}Subject: body line${a}From: nobody${b}`);
        const fields = scanHeaders(raw);
        const block = raw.toString('latin1', 0, reference(raw));
        assert.equal(fields.get('subject'), 'one', JSON.stringify(raw.toString('latin1')));
        assert.equal(fields.has('from'), /From: nobody/.test(block), `From is a field only if inside the block: ${JSON.stringify(block)}`);
        checked++;
      }
    }
  }
  assert.equal(checked, 36);
  // No blank line at all: every line is header.
  assert.deepEqual([...scanHeaders(Buffer.from('Subject: s\r\nFrom: f'))], [['subject', 's'], ['from', 'f']]);
  // A blank line right at the start: no fields.
  assert.deepEqual([...scanHeaders(Buffer.from('\r\n\r\nSubject: body'))], []);
  // Beyond 256 KiB nothing is read, blank line or not.
  const long = Buffer.concat([Buffer.from('Subject: s\r\nX-Long: '), Buffer.alloc(300 * 1024, 'a'), Buffer.from('\r\nFrom: late\r\n\r\nbody')]);
  assert.deepEqual([...scanHeaders(long).keys()], ['subject', 'x-long']);
  assert.equal(scanHeaders(long).get('x-long')!.length, 256 * 1024 - 'Subject: s\r\nX-Long: '.length);
});

test('the Message-ID comes from the same scan: without angle brackets, null when absent or empty', () => {
  assert.equal(messageIdOf(scanHeaders(Buffer.from('Message-ID: <a@b>\r\n\r\n'))), 'a@b');
  assert.equal(scanMessageId(Buffer.from('Message-Id:  plain@id \n\nMessage-ID: <body@x>')), 'plain@id');
  assert.equal(scanMessageId(Buffer.from('Message-ID: \r\n\r\n')), null);
  assert.equal(scanMessageId(Buffer.from('Subject: none\r\n\r\nMessage-ID: <in-body@x>\r\n')), null);
});
