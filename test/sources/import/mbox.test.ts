// Which files the import reads as mbox, and where it splits them: a "From " line in a message body
// (unescaped, as many mailers leave it) must not invent a second message.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, before, test } from 'node:test';
import { looksLikeMbox, splitMbox } from '../../../src/sources/import/mbox.js';
import { walkImportPaths } from '../../../src/sources/import/walk.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-mbox-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const envelope = (who: string) => `From ${who} Tue Nov 24 10:00:00 2026`;
const bodyWithFromLine = ['Hello,', '', 'From what I saw, the disk is full.', 'Regards', ''];

function write(name: string, lines: string[], ending = '\n'): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join(ending));
  return path;
}

/** What the import makes of paths: each entry's label and, for messages, their text. */
async function entries(...paths: string[]): Promise<{ label: string; kind: string; text?: string }[]> {
  const out: { label: string; kind: string; text?: string }[] = [];
  for await (const entry of walkImportPaths(paths)) {
    const label = entry.label.slice(dir.length + 1);
    if (entry.kind !== 'message') out.push({ label, kind: entry.kind });
    else {
      const bytes = Buffer.isBuffer(entry.content) ? entry.content : await buffer(entry.content as AsyncIterable<Buffer>);
      out.push({ label, kind: entry.kind, text: bytes.toString('latin1') });
    }
  }
  return out;
}

test('an extensionless file starting with an envelope line and headers, whose body has an unescaped From line, is one message', async () => {
  const path = write('note', [envelope('alice@example.com'), 'From: alice@example.com', 'Subject: disk', '', ...bodyWithFromLine]);
  const found = await entries(path);
  assert.deepEqual(found.map((e) => [e.label, e.kind]), [['note#1', 'message']]);
  assert.match(found[0]!.text!, /^From: alice@example\.com\nSubject: disk\n\nHello,\n\nFrom what I saw, the disk is full\.\nRegards\n$/);
});

test('an extensionless file whose first "From " line is not followed by a header is one message, not an mbox', async () => {
  const prose = write('memo', ['From the desk of the CEO:', '', 'From now on, tickets go to support.', '']);
  assert.equal(looksLikeMbox(Buffer.from('From the desk of the CEO:\n\nFrom now on\n')), false);
  assert.equal(looksLikeMbox(Buffer.from('From a@x Tue Nov 24 10:00:00 2026\r\nReturn-Path: <a@x>\r\n')), true);
  const found = await entries(prose);
  assert.deepEqual(found.map((e) => [e.label, e.kind]), [['memo', 'message']]);
  assert.equal(found[0]!.text, 'From the desk of the CEO:\n\nFrom now on, tickets go to support.\n');
});

test('an mbox splits only at From lines after a blank line and before a header; >From loses one >', async () => {
  for (const ending of ['\n', '\r\n']) {
    const path = write(
      `archive-${ending.length}.mbox`,
      [
        envelope('alice@example.com'),
        'From: alice@example.com',
        'Subject: one',
        '',
        ...bodyWithFromLine,
        '>From the quoted start',
        '',
        envelope('bob@example.com'),
        'Subject: two',
        '',
        'second body',
        'From the end, without a blank line before it',
        '',
        'From the last line of the file',
      ],
      ending,
    );
    const messages: string[] = [];
    for await (const message of splitMbox(path)) messages.push(message.toString('latin1'));
    const n = ending;
    assert.deepEqual(messages, [
      ['From: alice@example.com', 'Subject: one', '', 'Hello,', '', 'From what I saw, the disk is full.', 'Regards', '', 'From the quoted start', ''].join(n),
      ['Subject: two', '', 'second body', 'From the end, without a blank line before it', '', 'From the last line of the file'].join(n),
    ]);
  }
});

test('mbox by extension: the first line is always a separator; later ones need a header after them', async () => {
  const path = write('mixed.mbox', [envelope('a@x'), 'just text, no header', '', envelope('b@x'), 'Subject: real', '', 'body', '']);
  const found = await entries(path);
  assert.deepEqual(found.map((e) => [e.label, e.kind]), [['mixed.mbox#1', 'not-mail'], ['mixed.mbox#2', 'message']]);
  assert.equal(found[1]!.text, 'Subject: real\n\nbody\n');
});

test('a body line "From …:" after a blank line and before a "Word:" line does not split: a separator is an envelope line (review 11 #12)', async () => {
  const path = write('log.mbox', [
    envelope('alice@example.com'),
    'Subject: disk',
    '',
    'Hello,',
    '',
    'From the server log:',
    'Error: disk full',
    '',
    'From my side:',
    'Note: nothing changed since Monday.',
    '',
  ]);
  const messages: string[] = [];
  for await (const message of splitMbox(path)) messages.push(message.toString('latin1'));
  assert.deepEqual(messages, [['Subject: disk', '', 'Hello,', '', 'From the server log:', 'Error: disk full', '', 'From my side:', 'Note: nothing changed since Monday.', ''].join('\n')]);
  // An extensionless file is an mbox by the same rule.
  assert.equal(looksLikeMbox(Buffer.from('From the server log:\nError: disk full\n')), false);
  assert.equal(looksLikeMbox(Buffer.from('From my side:\nNote: fine\n')), false);
});

test('the envelope lines real mbox writers emit all split', async () => {
  const envelopes = [
    'From user@host Mon Jan  1 00:00:00 2024', // asctime, day padded with a space
    'From MAILER-DAEMON Fri Jul  8 12:08:34 2011',
    'From bob@example.com Wed Aug  2 00:39:12 MET DST 1995', // two time zone words (mutt's example)
    'From 1787261640519838530@xxx Wed Jan 10 14:36:09 +0000 2024', // Google Takeout
    'From - Tue Nov 24 10:00:00 2026', // Thunderbird
    'From uucp!alice Mon Jan 1 00:00 2024 remote from host', // UUCP, no seconds
    'From "Ann Lee"@example.com Sat Feb 03 09:15:00 2024',
    'From root mon jan 01 00:00:00 2024',
    'From Tue Nov 24 10:00:00 2026', // no sender at all
  ];
  const lines = envelopes.flatMap((line, i) => [line, `Subject: ${i + 1}`, '', `body ${i + 1}`, '']);
  const path = write('writers.mbox', lines);
  const subjects: string[] = [];
  for await (const message of splitMbox(path)) subjects.push(message.toString('latin1').split('\n', 1)[0]!);
  assert.deepEqual(subjects, envelopes.map((_, i) => `Subject: ${i + 1}`));
  for (const line of envelopes) assert.equal(looksLikeMbox(Buffer.from(`${line}\nSubject: x\n`)), true, line);
});
