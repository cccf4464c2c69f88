// looksLikeMessage: the judge deliver and import share for "is this mail at all".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { looksLikeMessage } from '../../src/mail/header-scan.js';

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
