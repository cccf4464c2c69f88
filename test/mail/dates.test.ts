import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMailDate } from '../../src/mail/index.js';

const valid: [string, string][] = [
  ['Tue, 10 Mar 2009 16:11:00 +0100 (CET)', '2009-03-10T15:11:00.000Z'],
  ['Sat, 04 Oct 2025 08:00:07 +0200', '2025-10-04T06:00:07.000Z'],
  ['4 Oct 2025 08:00 -0000', '2025-10-04T08:00:00.000Z'],
  ['Fri, 21 Nov 97 09:55:06 GMT', '1997-11-21T09:55:06.000Z'],
  ['Fri, 21 Nov 08 09:55:06 GMT', '2008-11-21T09:55:06.000Z'],
  ['21 Nov 1997 09:55:06 EST', '1997-11-21T14:55:06.000Z'],
  ['Mon, 24 Nov 1997 14:22:01 PDT', '1997-11-24T21:22:01.000Z'],
  ['Thu, 13 Feb 1969 23:32 -0330 (Newfoundland Time)', '1969-02-14T03:02:00.000Z'],
  ['Wed, 20 Sep 1995 00:19:00 (EDT) -0400', '1995-09-20T04:19:00.000Z'],
  ['Tue,10-Mar-2009 16:11:00 +0000', '2009-03-10T16:11:00.000Z'],
  ['Thu, 24 Apr 2013 00:00:00 +0900 (JST)', '2013-04-23T15:00:00.000Z'],
  ['Thu Jan  1 00:00:00 2009', '2009-01-01T00:00:00.000Z'],
  ['2009-03-10T12:00:00Z', '2009-03-10T12:00:00.000Z'],
  ['2009-03-10 12:00:00+02:00', '2009-03-10T10:00:00.000Z'],
  ['Mon, 1 Jan 2001 10:00:00 A', '2001-01-01T10:00:00.000Z'], // military zone: unknown, taken as UTC
];

for (const [input, iso] of valid) {
  test(`parseMailDate: ${input}`, () => {
    assert.equal(parseMailDate(input)?.toISOString(), iso);
  });
}

const invalid = [
  '',
  '<HR>',
  'Malformed Date.',
  'Wed, 15 Dec 2010    59:10 -0500',
  'Pn, 29 paX 2007 21:13:00 +0100',
  'Mon, 32 Jan 2009 10:00:00 +0000',
  'Wed, 30 Feb 2011 10:00:00 +0000',
  'Mon, 1 Jan 2001 25:00:00 +0000',
  'Mon, 1 Jan 2001 10:00:00 +9900',
  '1',
  'Date in the future 2099',
  '2009-03-10 12:00', // no zone: would depend on the server's time zone
  'Mon, 1 Jan 1800 10:00:00 +0000',
];

for (const input of invalid) {
  test(`parseMailDate rejects ${JSON.stringify(input)}`, () => {
    assert.equal(parseMailDate(input), null);
  });
}

test('parseMailDate: null and undefined', () => {
  assert.equal(parseMailDate(null), null);
  assert.equal(parseMailDate(undefined), null);
});
