// splitReply: which part of a message it reads. The text part when there is one; the HTML when there
// is none, or when the text shows nothing to strip but the HTML's DOM marks a quote.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseMessage, splitReply } from '../../../src/mail/index.js';
import { corpusDir, corpusSkip } from '../../support/mail-corpus.js';
import { HashingSink } from '../../support/mail-sink.js';

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

describe('an HTML-only message, as the parser gives it, is split in its HTML', { skip: corpusSkip() }, () => {
  // mailparser writes `text` from the HTML when a message has no text part; that text has lost the
  // markers (div.gmail_quote, #divRplyFwdMsg, an <hr>) the HTML splitter cuts at, so the HTML is read.
  // What talon's tests expect each fragment to come down to, all whitespace removed.
  const fragments: Array<[string, string]> = ['gmail', 'hotmail', 'mail_ru', 'ms_outlook_2003', 'ms_outlook_2007', 'ms_outlook_2010', 'thunderbird', 'windows_mail', 'yandex_ru']
    .map((name): [string, string] => [`talon/html_replies/${name}.html`, 'Hi.Iamfine.Thanks,Alex'])
    .concat([['talon/OLK_SRC_BODY_SECTION.html', 'Reply'], ['talon/reply-separated-by-hr.html', 'Hithere']]);
  for (const [name, expected] of fragments) {
    test(name, async () => {
      const html = readFileSync(join(corpusDir, name));
      const raw = Buffer.concat([Buffer.from('From: a@example.com\r\nSubject: Re: hi\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'), html]);
      const message = await parseMessage(raw, { receivedAt: new Date(), sink: new HashingSink() });
      assert.equal(message.textFromHtml, true);
      const split = splitReply({ text: message.text, html: message.html, textFromHtml: message.textFromHtml });
      assert.equal(split.reply.replace(/\s+/g, ''), expected);
      assert.match(split.how, /^no text part; html:/);
    });
  }

  test('a message with a text part says so', async () => {
    const raw = Buffer.from('From: a@example.com\r\nSubject: hi\r\nContent-Type: text/plain\r\n\r\nHello\r\n');
    assert.equal((await parseMessage(raw, { receivedAt: new Date(), sink: new HashingSink() })).textFromHtml, false);
  });
});
