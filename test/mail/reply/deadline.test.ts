// Reply splitting is linear in the size of the mail: each input here, up to a few megabytes shaped to
// hurt a backtracking or quadratic splitter, is split within a deadline of CPU time. The deadline is
// generous (a performance figure would fail on a loaded machine; `npm run bench` prints those): what it
// catches is a splitter that does not finish, as email-reply-parser 2.3.7 took 44 s on 200 KB of
// email_long_quote.txt and did not finish the whole 767 KB in ten minutes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { splitReply, type ReplySource, type ReplySplit } from '../../../src/mail/index.js';
import { corpusDir, corpusSkip } from '../../support/mail-corpus.js';

const DEADLINE_MS = 2000;
const MB = 1_000_000;

/** `line` repeated after `head` until the text is at least `size` characters. */
function fill(head: string, line: string, size: number): string {
  return head + line.repeat(Math.ceil((size - head.length) / line.length));
}

/** Splits `source`, asserting the CPU time this process spent (not the wall clock) was within the deadline. */
function splitWithin(source: ReplySource): ReplySplit {
  const started = process.cpuUsage();
  const split = splitReply(source);
  const used = process.cpuUsage(started);
  const ms = (used.user + used.system) / 1000;
  assert.ok(ms < DEADLINE_MS, `${ms.toFixed(0)} ms of CPU, deadline ${DEADLINE_MS} ms`);
  return split;
}

describe(`reply splitting finishes within ${DEADLINE_MS} ms of CPU`, () => {
  const github = (name: string) => readFileSync(join(corpusDir, 'github-email-reply-parser', 'emails', name), 'utf8');

  test("github's email_long_quote.txt (767 KB, a 700 KB line of '>')", { skip: corpusSkip() }, () => {
    const split = splitWithin({ text: github('email_long_quote.txt'), html: null });
    assert.match(split.reply, /^Hi folks\n\nWhat is the best way to clear a Riak bucket/);
    assert.doesNotMatch(split.reply, /riak-users mailing list/, 'the list footer under "____" is cut');
  });

  test("github's pathological.txt", { skip: corpusSkip() }, () => {
    const split = splitWithin({ text: github('pathological.txt'), html: null });
    assert.equal(split.reply, "I think you're onto something. I will try to fix the problem as soon as I\nget back to a computer.");
  });

  test('a reply over a 1 MB quote', () => {
    const text = fill('Thanks, that works.\n\nOn Mon, Feb 1, 2026 at 6:32 PM, Jeff <jeff@example.com> wrote:\n', '> a quoted line of an older message, with some words in it\n', MB);
    const split = splitWithin({ text, html: null });
    assert.equal(split.reply, 'Thanks, that works.');
    assert.ok(split.removed.length > MB - 100);
  });

  test("1 MB of '>' lines: all quote, so the whole text is kept", () => {
    const split = splitWithin({ text: fill('', '>\n', MB), html: null });
    assert.equal(split.fullTextKept, true);
  });

  test('a single line of 1 MB', () => {
    const text = 'x'.repeat(MB);
    assert.equal(splitWithin({ text, html: null }).reply, text);
  });

  test('200,000 short lines', () => {
    const text = fill('', 'ab\n', 600_000);
    assert.equal(splitWithin({ text, html: null }).reply, text.trim());
  });

  test('1 MB of lines that open like quote headers and never close', () => {
    const text = fill('', 'On 2026-01-01 at 10:00 Jane <\n', MB);
    assert.equal(splitWithin({ text, html: null }).reply, text.trim());
  });

  test('1 MB of blockquotes nested in one another', () => {
    const html = `<div>Reply</div>${'<blockquote>q '.repeat(MB / 14)}`;
    const split = splitWithin({ text: '', html });
    assert.equal(split.reply, 'Reply');
    assert.match(split.how, /nested deeper than 512 levels/);
  });

  test('a reply over a flat 1 MB Gmail quote', () => {
    const html = `<div>Reply</div><div class="gmail_quote"><blockquote>${'<div>a quoted line of an older message</div>'.repeat(MB / 44)}</blockquote></div>`;
    const split = splitWithin({ text: '', html });
    assert.equal(split.reply, 'Reply');
    assert.ok(split.removed.length > MB / 2);
  });
});

describe('text past TEXT_INPUT_MAX is not split (finding 2)', () => {
  test('40 MB of "From: a@b.c" paragraphs under a ticket reference', () => {
    const text = fill('Ticket#1\n', 'From: a@b.c\nx\n\n', 40 * MB);
    const split = splitWithin({ text, html: null });
    assert.equal(split.reply.length + split.removed.length >= text.length - 100, true, 'nothing is lost: reply and removed hold the whole text');
    assert.match(split.how, /only the first \d+ characters/);
  });
});
