// splitReplyHtml on the marks each client leaves in the DOM. The talon fixtures are scored in
// test/score/replies.test.ts; these are built one mark at a time, each with the quote it must remove
// and the reply it must keep.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitReplyHtml } from '../../../src/mail/reply/html.js';

const REPLY = 'Thanks, the printer works again.';
const OLD = 'Did you restart the printer?';

function assertSplit(html: string, mark: RegExp): void {
  const split = splitReplyHtml(html);
  assert.equal(split.reply, REPLY, split.how);
  assert.match(split.removed, new RegExp(OLD.replace(/[?.]/g, '\\$&')), `removed: ${JSON.stringify(split.removed)}`);
  assert.match(split.how, mark);
  assert.equal(split.fullTextKept, false);
}

describe('quote marks in the DOM', () => {
  test('Gmail: div.gmail_quote with its attribution and blockquote', () => {
    assertSplit(
      `<div dir="ltr">${REPLY}</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Nov 23, 2026 at 10:00 AM Jane &lt;<a href="mailto:jane@example.com">jane@example.com</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">${OLD}</blockquote></div>`,
      /div\.gmail_quote/,
    );
  });

  test('Thunderbird: div.moz-cite-prefix and blockquote type=cite', () => {
    assertSplit(
      `<p>${REPLY}</p><div class="moz-cite-prefix">On 23.11.2026 10:00, Jane Doe wrote:<br></div><blockquote type="cite" cite="mid:1@example.com"><p>${OLD}</p></blockquote>`,
      /blockquote type=cite/,
    );
    const split = splitReplyHtml(`<p>${REPLY}</p><div class="moz-cite-prefix">On 23.11.2026 10:00, Jane Doe wrote:<br></div><blockquote type="cite"><p>${OLD}</p></blockquote>`);
    assert.match(split.removed, /^On 23\.11\.2026 10:00, Jane Doe wrote:/, 'the attribution goes with the quote');
  });

  test('Apple Mail: blockquote type=cite holding its own attribution', () => {
    assertSplit(`<div>${REPLY}</div><div><br><blockquote type="cite"><div>On Apr 3, 2026, at 4:19 PM, bob wrote:</div><br><div>${OLD}</div></blockquote></div>`, /blockquote type=cite/);
  });

  test('Outlook (web, 2016+): #divRplyFwdMsg and the rule above it, and all after', () => {
    assertSplit(
      `<div>${REPLY}</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><b>From:</b> Jane Doe &lt;jane@example.com&gt;<br><b>Sent:</b> Monday, November 23, 2026 10:00 AM</div><div>${OLD}</div>`,
      /#divRplyFwdMsg/,
    );
  });

  test('Outlook for Mac: #OLK_SRC_BODY_SECTION', () => {
    assertSplit(`<div>${REPLY}</div><span id="OLK_SRC_BODY_SECTION"><div><span>From: </span>Jane<br><span>Date: </span>Tue, 01 Nov 2026</div><div>${OLD}</div></span>`, /OLK_SRC_BODY_SECTION/);
  });

  test('Outlook 2007-2013: the border-top div over "From: … Sent: …", in German too', () => {
    for (const [from, sent] of [['From:', 'Sent:'], ['Von:', 'Gesendet:'], ['De :', 'Envoyé :'], ['Van:', 'Verzonden:'], ['Od:', 'Wysłano:'], ['От:', 'Отправлено:'], ['Från:', 'Skickat:']]) {
      assertSplit(
        `<div class="WordSection1"><p class="MsoNormal">${REPLY}</p><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>${from}</b> Jane Doe &lt;jane@example.com&gt;<br><b>${sent}</b> 23.11.2026 10:00<br><b>To:</b> support@example.com</p></div><p class="MsoNormal">${OLD}</p></div>`,
        /border line/,
      );
    }
  });

  test('Windows Mail: the border-top-style div', () => {
    assertSplit(
      `<div><div>${REPLY}</div><div style="padding-top: 5px; border-top-color: rgb(229, 229, 229); border-top-width: 1px; border-top-style: solid;"><div><b>From:</b>&nbsp;Jane<br><b>Sent:</b>&nbsp;Thursday, 26 June 2026 15:05<br><b>To:</b>&nbsp;Alex</div></div><div>${OLD}</div></div>`,
      /border line/,
    );
  });

  test('Hotmail: hr#stopSpelling (or #ecxstopSpelling) over the header block', () => {
    for (const id of ['stopSpelling', 'ecxstopSpelling']) {
      assertSplit(`<div>${REPLY}<br><br><div><hr id="${id}">Date: Thu, 26 Jun 2026 13:53:45 +0400<br>Subject: Printer<br>From: jane@example.com<br>To: support@example.com<br><br><div>${OLD}</div></div></div>`, /horizontal rule/);
    }
  });

  test('Outlook 2003: the centred rule over "From: … Sent: …"', () => {
    assertSplit(
      `<div class=Section1><p class=MsoNormal>${REPLY}</p><div><div class=MsoNormal align=center style='text-align:center'><font size=3><span><hr size=3 width="100%" align=center tabindex=-1></span></font></div><p class=MsoNormal><b>From:</b> Jane [mailto:jane@example.com]<br><b>Sent:</b> Friday, June 27, 2026 12:06 PM<br><b>To:</b> Alex</p></div><p>${OLD}</p></div>`,
      /horizontal rule/,
    );
  });

  test('Yandex and Mail.ru: a plain blockquote at the end, the attribution above it cut as text', () => {
    assertSplit(`<p>${REPLY}<br /><br />26.06.2026, 14:41, "Jane Doe" &lt;<a href="mailto:jane@example.com">jane@example.com</a>&gt;:</p><blockquote>${OLD}</blockquote>`, /blockquote/);
    assertSplit(`<p>${REPLY}</p><br>Thu, 26 Jun 2026 14:00:51 +0400 от Jane Doe &lt;jane@example.com&gt;:<br><blockquote style="border-left:1px solid #0857A6">${OLD}</blockquote><br>`, /blockquote/);
  });

  test('a reply separated by <hr> from the old mail, the rule inside the last block (Zimbra)', () => {
    const split = splitReplyHtml(`<div>Hi<div>there</div><div>Bob<hr><b>From: </b>bob@example.com<br><b>To: </b>xxx@example.com<br><b>Sent: </b>Friday, July 22, 2026 6:20:01 PM<br><p>${OLD}</p></div></div>`);
    assert.equal(split.reply, 'Hi\nthere');
    assert.match(split.removed, /^Bob/);
  });

  test('a sentence in the block of the rule is never lost with the quote', () => {
    const split = splitReplyHtml(`<div>Hi<div>Please send the drum by Friday.<hr><b>From: </b>bob@example.com<br><b>Sent: </b>Friday, July 22, 2026 6:20:01 PM<br><p>${OLD}</p></div></div>`);
    assert.equal(split.reply, 'Hi\nPlease send the drum by Friday.');
  });
});

describe('what stays', () => {
  test('a blockquote followed by more writing is an inline reply: it stays, as quoted text', () => {
    const split = splitReplyHtml(`<p>Answers below.</p><blockquote type="cite">${OLD}</blockquote><p>Yes, twice.</p>`);
    assert.equal(split.reply, `Answers below.\n\n> ${OLD}\n\nYes, twice.`);
  });

  test('a rule with no header block under it is a delimiter, as a line of dashes is in text', () => {
    const split = splitReplyHtml(`<p>${REPLY}</p><hr><p>This message is confidential.</p>`);
    assert.equal(split.reply, REPLY);
    assert.match(split.removed, /This message is confidential\.$/);
    assert.match(split.how, /no quote mark in the DOM; text: cut delimiter line/);
  });

  test('never empty: a mail that is all quote is kept whole, and the trace says so', () => {
    const split = splitReplyHtml(`<blockquote type="cite">${OLD}</blockquote>`);
    assert.equal(split.reply, `> ${OLD}`);
    assert.equal(split.fullTextKept, true);
    assert.match(split.how, /whole text is the reply/);
  });

  test('links keep their address; a mailto: link whose text is the address prints once', () => {
    const split = splitReplyHtml('<p>See <a href="https://example.com/kb/42">the article</a> or write to <a href="mailto:help@example.com">help@example.com</a>.</p>');
    assert.equal(split.reply, 'See the article [https://example.com/kb/42] or write to help@example.com.');
  });
});
