// Reply splitting: how long a split takes on mail shaped to be expensive (a long quote, very many
// lines, one huge line, deep HTML). Linear time is the goal: 1 MB should take a small multiple of
// 100 KB. Printed, never asserted; test/mail/reply/deadline.test.ts holds the deadlines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitReply, type ReplySource } from '../src/mail/index.js';
import { corpusAvailable, corpusDir } from '../test/support/mail-corpus.js';

const KB = 1000;
const MB = 1000 * KB;

function fill(head: string, line: string, size: number): string {
  return head + line.repeat(Math.ceil((size - head.length) / line.length));
}

const quote = (size: number): ReplySource => ({
  text: fill('Thanks, that works.\n\nOn Mon, Feb 1, 2026 at 6:32 PM, Jeff <jeff@example.com> wrote:\n', '> a quoted line of an older message, with some words in it\n', size),
  html: null,
});

/** Best of three, in milliseconds: the figure least disturbed by whatever else the machine does. */
function bestOf3(source: ReplySource): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    splitReply(source);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

export function replySplittingBench(report: (name: string, value: string) => void): void {
  const cases: Array<[string, ReplySource]> = [
    ['replies: a reply over a 100 KB quote', quote(100 * KB)],
    ['replies: a reply over a 1 MB quote', quote(MB)],
    ["replies: 1 MB of '>' lines", { text: fill('', '>\n', MB), html: null }],
    ['replies: 200,000 short lines', { text: fill('', 'ab\n', 600 * KB), html: null }],
    ['replies: one 1 MB line', { text: 'x'.repeat(MB), html: null }],
    ['replies: 1 MB of blockquotes nested in one another', { text: '', html: `<div>Reply</div>${'<blockquote>q '.repeat(MB / 14)}` }],
    ['replies: a reply over a flat 1 MB Gmail quote (HTML)', { text: '', html: `<div>Reply</div><div class="gmail_quote"><blockquote>${'<div>a quoted line of an older message</div>'.repeat(MB / 44)}</blockquote></div>` }],
  ];
  if (corpusAvailable()) {
    const github = (name: string) => readFileSync(join(corpusDir, 'github-email-reply-parser', 'emails', name), 'utf8');
    cases.push(["replies: github's email_long_quote.txt (767 KB)", { text: github('email_long_quote.txt'), html: null }]);
    cases.push(["replies: github's pathological.txt", { text: github('pathological.txt'), html: null }]);
  }
  for (const [name, source] of cases) report(name, `${bestOf3(source).toFixed(1)} ms`);
}
