// The pure pieces of the IMAP source: origin keys, UID sets, first-run cutoffs, the cursor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { originKey, parseOriginKey } from '../../../src/sources/imap/origin.js';
import { uidSet } from '../../../src/sources/imap/acks.js';
import { beforeCutoff, cutoffFor } from '../../../src/sources/imap/baseline.js';
import { nextHighestUid, readCursor } from '../../../src/sources/imap/cursor.js';
import { bareMessageId } from '../../../src/sources/imap/listing.js';

test('origin keys round-trip, also for folder names with colons', () => {
  assert.equal(originKey('INBOX', '1795485992', 7), 'imap:INBOX:1795485992:7');
  assert.deepEqual(parseOriginKey(originKey('Support:EU', '42', 9)), { folder: 'Support:EU', uidValidity: '42', uid: 9 });
  assert.equal(parseOriginKey('pop3:00000001000000a2'), null);
  assert.equal(parseOriginKey('msgid:abc@x:deadbeef'), null);
});

test('UID sets are compact', () => {
  assert.equal(uidSet([3, 1, 2, 7, 9, 8, 2]), '1:3,7:9');
  assert.equal(uidSet([5]), '5');
});

test('first-run cutoffs: from-now rounds down to the second current 50 ms earlier, since is UTC midnight, all has none', () => {
  assert.deepEqual(cutoffFor({ kind: 'from-now' }, '2026-11-24T10:00:00.750Z'), { before: new Date('2026-11-24T10:00:00Z'), why: 'first-run' });
  assert.deepEqual(cutoffFor({ kind: 'since', date: '2024-01-01' }, '2026-11-24T10:00:00Z'), { before: new Date('2024-01-01T00:00:00Z'), why: 'since-date' });
  assert.equal(cutoffFor({ kind: 'all' }, '2026-11-24T10:00:00Z'), null);
  // Created in the first milliseconds of a second: mail the file system's coarser clock stamped in the
  // second before is new too.
  assert.deepEqual(cutoffFor({ kind: 'from-now' }, '2026-11-24T10:00:01.010Z'), { before: new Date('2026-11-24T10:00:00Z'), why: 'first-run' });
  assert.deepEqual(cutoffFor({ kind: 'from-now' }, '2026-11-24T10:00:01.049Z'), { before: new Date('2026-11-24T10:00:00Z'), why: 'first-run' });
  assert.deepEqual(cutoffFor({ kind: 'from-now' }, '2026-11-24T10:00:01.050Z'), { before: new Date('2026-11-24T10:00:01Z'), why: 'first-run' });
  const cutoff = cutoffFor({ kind: 'from-now' }, '2026-11-24T10:00:00.750Z');
  const listed = [
    { uid: 1, size: 1, internalDate: new Date('2026-11-24T09:59:59Z') },
    { uid: 2, size: 1, internalDate: new Date('2026-11-24T10:00:00Z') }, // same second: new
    { uid: 3, size: 1, internalDate: null }, // no date: never left alone
  ];
  assert.deepEqual(beforeCutoff(listed, cutoff).map((m) => m.uid), [1]);
});

test('the cursor stays below the first unsettled UID, and never passes what is settled so far', () => {
  assert.equal(nextHighestUid(0, [1, 2, 3], []), 3);
  assert.equal(nextHighestUid(0, [1, 2, 3], [2]), 1);
  assert.equal(nextHighestUid(5, [], []), 5);
  assert.equal(nextHighestUid(5, [6, 7], [6, 7]), 5);
  // Held for later (a suspect downloaded last), beyond what is settled so far: the cursor stops at what is.
  assert.equal(nextHighestUid(0, [3], [6]), 3);
  assert.equal(nextHighestUid(4, [3], [6]), 4);
  assert.deepEqual(readCursor({ folder: 'INBOX', uidValidity: '12', highestUid: 4 }), { folder: 'INBOX', uidValidity: '12', highestUid: 4 });
  assert.equal(readCursor({ folder: 'INBOX', uidValidity: 12, highestUid: 4 }), null);
  assert.equal(readCursor(null), null);
});

test('Message-IDs lose their angle brackets, as intake stores them', () => {
  assert.equal(bareMessageId('<a@b>'), 'a@b');
  assert.equal(bareMessageId(' a@b '), 'a@b');
  assert.equal(bareMessageId(undefined), null);
});
