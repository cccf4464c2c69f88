// splitReply: which part of a message it reads. The text part when there is one; the HTML when there
// is none, or when the text shows nothing to strip but the HTML's DOM marks a quote.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitReply } from '../../../src/mail/index.js';

const GMAIL_HTML = '<div dir="ltr">Fixed, thanks.</div><div class="gmail_quote"><div class="gmail_attr">On Tue, Nov 24, 2026 at 10:00 AM Support &lt;support@example.com&gt; wrote:</div><blockquote class="gmail_quote">Please try again.</blockquote></div>';

test('the text part is read when it has something to strip, whatever the HTML says', () => {
  const split = splitReply({ text: 'Fixed, thanks.\n\nOn Tue, Nov 24, 2026 at 10:00 AM Support <support@example.com> wrote:\n> Please try again.\n', html: GMAIL_HTML });
  assert.equal(split.reply, 'Fixed, thanks.');
  assert.match(split.how, /^text: cut quote header/);
});

test('the HTML is read when the text shows nothing to strip and the DOM marks a quote', () => {
  // Some clients flatten the quote into the text part with no marker left.
  const split = splitReply({ text: 'Fixed, thanks.\n\nPlease try again.\n', html: GMAIL_HTML });
  assert.equal(split.reply, 'Fixed, thanks.');
  assert.equal(split.removed, 'On Tue, Nov 24, 2026 at 10:00 AM Support <support@example.com> wrote:\n\n> Please try again.');
  assert.match(split.how, /div\.gmail_quote.*the text part showed nothing to strip/);
});

test('the text part stays when neither shows anything to strip', () => {
  const split = splitReply({ text: 'Just a question.\n', html: '<p>Just a <b>question</b>.</p>' });
  assert.deepEqual(split, { reply: 'Just a question.', removed: '', how: 'text: nothing to strip', fullTextKept: false });
});

test('the HTML is read when there is no text part', () => {
  const split = splitReply({ text: '', html: GMAIL_HTML });
  assert.equal(split.reply, 'Fixed, thanks.');
  assert.match(split.how, /^no text part; html: cut quote at the end/);
});

test('nothing at all gives an empty reply', () => {
  assert.deepEqual(splitReply({ text: ' \n', html: null }), { reply: '', removed: '', how: 'empty', fullTextKept: false });
  assert.deepEqual(splitReply({ text: '', html: '  ' }), { reply: '', removed: '', how: 'empty', fullTextKept: false });
});

test('a TargetProcess notification quoted under a reply is cut; all-quoted text is kept whole', () => {
  const reply = 'Thanks, it works now.\r\n\r\nOn Tue, Nov 24, 2026 at 10:00 AM Support <support@x.example> wrote:\r\n> --- Please do not remove this line! Targetprocess Ticket#5 ---\r\n> earlier text\r\n';
  assert.equal(splitReply({ text: reply, html: null }).reply, 'Thanks, it works now.');
  const allQuoted = splitReply({ text: '> only quoted\r\n> lines\r\n', html: null });
  assert.equal(allQuoted.reply, '> only quoted\n> lines');
  assert.equal(allQuoted.fullTextKept, true);
});
