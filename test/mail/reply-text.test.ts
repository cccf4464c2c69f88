// Reply text against the talon corpus (client replies with expected reply-only text) and edge cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage, replyText } from '../../src/mail/index.js';
import { corpusDir, corpusSkip } from '../support/mail-corpus.js';
import { discardingSink } from '../../src/store/blobs.js';

// Where our parser and talon's expectation differ, and why.
const KNOWN: Record<string, { why: string; check: (got: string, want: string) => boolean }> = {
  'standard_replies/iphone.eml': { why: 'the "Sent from my iPhone" signature is removed too', check: (got, want) => want.startsWith(got) },
  'standard_replies/sparrow.eml': { why: 'the "-- " signature is removed too', check: (got, want) => want.startsWith(got) },
  'standard_replies/android.eml': {
    why: 'a Russian attribution line wrapped over two lines is not recognised; the quote itself is removed',
    check: (got) => got.startsWith('Hello\n') && !/^>/m.test(got),
  },
};

test('talon client replies: the reply without its quoted history', { skip: corpusSkip() }, async () => {
  const base = join(corpusDir, 'talon');
  const expected = JSON.parse(readFileSync(join(base, 'expected', 'expectations.json'), 'utf8')).standard_replies as Record<string, { reply_text: string }>;
  let exact = 0;
  for (const [file, { reply_text: want }] of Object.entries(expected)) {
    const message = await parseMessage(readFileSync(join(base, file)), { receivedAt: new Date(), sink: discardingSink });
    const got = replyText(message.text);
    const known = KNOWN[file];
    if (known) assert.ok(known.check(got, want.trim()), `${file}: ${known.why}; got ${JSON.stringify(got)}`);
    else {
      assert.equal(got, want.trim(), file);
      exact += 1;
    }
  }
  assert.equal(exact, 9);
});

test('a TargetProcess notification quoted under a reply is cut; all-quoted text is kept whole', () => {
  const reply = 'Thanks, it works now.\r\n\r\nOn Tue, Nov 24, 2026 at 10:00 AM Support <support@x.example> wrote:\r\n> --- Please do not remove this line! Targetprocess Ticket#5 ---\r\n> earlier text\r\n';
  assert.equal(replyText(reply), 'Thanks, it works now.');
  assert.equal(replyText('> only quoted\r\n> lines\r\n'), '> only quoted\r\n> lines');
  assert.equal(replyText('   '), '');
  assert.equal(replyText('No quote at all.\n'), 'No quote at all.');
});
