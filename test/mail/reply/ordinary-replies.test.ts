// Ordinary support replies the splitter must leave alone, or cut only where a quote really starts: each
// input here once lost a sentence the person wrote (review of issue 11, findings 3–11 and 19), or is
// a shape of writing as common as those (numbered steps, tables, headings, logs). A lost sentence in a
// comment misleads; a quote left in only clutters. So the assertion is the person's words, exactly.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitReply } from '../../../src/mail/index.js';
import { splitReplyText } from '../../../src/mail/reply/text.js';

/** The split of `text` keeps all of it: nothing in it is a quote, a header or a signature. */
function assertKeptWhole(text: string): void {
  const split = splitReplyText(text);
  assert.equal(split.reply, text.trim(), split.how);
  assert.equal(split.removed, '', split.how);
}

/** The reply of `text` is exactly `reply`. */
function assertReply(text: string, reply: string): void {
  const split = splitReplyText(text);
  assert.equal(split.reply, reply, split.how);
}

describe('lines of one repeated character are headings, rules and lists, not delimiters (finding 3)', () => {
  test('a heading underlined with dashes, then numbered steps', () => {
    assertKeptWhole('Hi,\n\nSteps to reproduce\n------------------\n1. Open the app\n2. Click save\n\nIt crashes every time.');
  });

  test('setext headings with = and -', () => {
    assertKeptWhole('Summary\n=======\nThe export fails at 50%.\n\nDetails\n-------\nIt stops after the third file.\n\nThanks,\nAnna');
  });

  test('a lone *, -, +, # or = line', () => {
    for (const mark of ['*', '-', '+', '#', '=', ',', '**', '--+', '##']) {
      assertKeptWhole(`The menu shows these entries:\n${mark}\nand then the app closes. Can you help?`);
    }
  });

  test('a markdown rule between two parts of the reply', () => {
    assertKeptWhole('First problem: the login fails.\n\n---\n\nSecond problem: the export is empty.\nBoth started on Monday.');
  });

  test('a rule of underscores above "From: … Sent: …" still ends the reply', () => {
    assertReply('Done, thanks.\n\n________________________________\nFrom: Support <support@example.com>\nSent: Monday, May 5, 2026 10:00 AM\nTo: Anna <anna@example.com>\nSubject: Printer\n\nDid you restart it?', 'Done, thanks.');
  });

  test('"-- " and "--" still end the reply before a signature', () => {
    assertReply('Done, thanks.\n\n-- \nAnna Smith\nACME Corp', 'Done, thanks.');
    assertReply('Done, thanks.\n\n--\nAnna Smith\nACME Corp', 'Done, thanks.');
  });

  test('a list footer under a rule is still cut', () => {
    assertReply('Done, thanks.\n\n_______________________________________________\nriak-users mailing list\nriak-users@lists.example.com\nhttp://lists.example.com/mailman/listinfo/riak-users', 'Done, thanks.');
  });
});

describe('sentences shaped like quote headers stay (finding 4)', () => {
  test('"At 10:15 the backup job wrote:" above a pasted log', () => {
    assertKeptWhole('Hi team,\n\nAt 10:15 the backup job wrote:\n2026-05-05 10:15:02 ERROR disk full on /var\n2026-05-05 10:15:03 ERROR backup aborted\n\nCan someone look at this today?');
  });

  test('"As Bob wrote on Monday: …" in a sentence', () => {
    assertKeptWhole('Hi,\n\nAs Bob wrote on Monday: the export is broken again.\nIt fails for every customer with more than 100 orders.');
  });

  test('a phone number and a name with an address at the end of a line', () => {
    assertKeptWhole('Hello,\n\nFor urgent questions call 0171 1234567 or mail Jane Doe <jane@acme.com>\nShe is our IT contact this week.');
  });

  test('German: "Am Montag schrieb mir der Kunde: …"', () => {
    assertKeptWhole('Hallo,\n\nAm Montag schrieb mir der Kunde: bitte die Rechnung neu senden.\nKönnt ihr das machen?');
  });

  test('Dutch: "Op maandag schreef de klant: …"', () => {
    assertKeptWhole('Hallo,\n\nOp maandag schreef de klant: het werkt niet.\nKunnen jullie kijken?');
  });

  test('a sentence that mentions who wrote what', () => {
    assertKeptWhole('Hi,\n\nMy colleague wrote: the printer on floor 2 is jammed again.\nOn Friday it worked.\n\nThanks');
  });

  test('a sentence ending "From: my side"', () => {
    assertKeptWhole('Everything is fine on the server.\nThe only open point is the certificate. From: my side\nnothing else is needed.');
  });

  test('a pasted log with timestamps and colons', () => {
    assertKeptWhole('The sync fails every night:\n\n2026-05-04 23:00:01 INFO start sync\n2026-05-04 23:00:07 WARN retry 1/3: timeout\n2026-05-04 23:00:19 ERROR giving up: 504 from https://api.example.com\n\nAny idea?');
  });
});

describe('wrapped-header joining never swallows sentences above (finding 5)', () => {
  test('a ticket number in a sentence above an attribution', () => {
    const split = splitReplyText('Hi,\n\nThanks for the update on ticket 4521.\nI checked the logs and found the problem.\nYesterday John Smith wrote:\n\n> can you check the logs?');
    assert.match(split.reply, /^Hi,\n\nThanks for the update on ticket 4521\.\nI checked the logs and found the problem\./, split.how);
    assert.doesNotMatch(split.reply, /can you check the logs\?/);
  });

  test('an invoice number above "Our accountant wrote:" and unquoted text', () => {
    assertKeptWhole('Invoice 2024-0042 is still open.\nOur accountant wrote:\nplease pay by Friday\nCan you check?');
  });
});

describe('an answer below a quote is kept (finding 6)', () => {
  test('text above, one quote, the answer below: both texts stay, the quote and its header go', () => {
    const split = splitReplyText('See my answer below.\n\nOn Mon, 5 May 2026 at 10:00, Support <s@example.com> wrote:\n> Which version do you use?\n\nVersion 3.2 on Windows 11.\nThe error started after the update.');
    assert.equal(split.reply, 'See my answer below.\n\nVersion 3.2 on Windows 11.\nThe error started after the update.', split.how);
    assert.equal(split.removed, 'On Mon, 5 May 2026 at 10:00, Support <s@example.com> wrote:\n> Which version do you use?');
  });

  test('inline answers between quotes stay with their quotes (the header goes)', () => {
    assertReply(
      'Hi,\n\nOn Mon, 5 May 2026 at 10:00, Support <s@example.com> wrote:\n> Which version do you use?\n\nVersion 3.2.\n\n> Which browser?\n\nFirefox 125.',
      'Hi,\n\n> Which version do you use?\n\nVersion 3.2.\n\n> Which browser?\n\nFirefox 125.',
    );
  });

  test('a signature under the quote is still cut', () => {
    assertReply('Fixed, thanks.\n\nOn Mon, 5 May 2026 at 10:00, Support <s@example.com> wrote:\n> Which version do you use?\n\nAnna Smith\nACME Corp | +49 30 1234567\nhttps://acme.example.com', 'Fixed, thanks.');
  });
});

describe('tables and menu paths are not quotes (finding 7)', () => {
  test('a markdown table ending the reply', () => {
    assertKeptWhole('Here are the numbers:\n\n| Month | Orders |\n|-------|--------|\n| May   | 120    |\n| June  | 98     |');
  });

  test('a menu path written with ">"', () => {
    assertKeptWhole("I can't find the export. I looked under\nSettings>Privacy>Export");
  });

  test('"Richard> …" on consecutive lines is still a quote', () => {
    assertReply('Yes, it is.\n\nRichard> Is the printer fixed?\nRichard> It jammed again.', 'Yes, it is.');
  });
});

describe('header-shaped lines in the reply stay (finding 8)', () => {
  test('addresses to send the invoice to', () => {
    assertKeptWhole('Please send the invoice to these addresses from now on:\nTo: accounts@acme.com\nCc: bob@acme.com\n\nThanks');
  });

  test('the header of a bounced mail, pasted, and the question under it', () => {
    assertKeptWhole('This mail bounced when I sent it:\nFrom: anna@acme.com\nTo: billing@vendor.example\nSubject: Invoice 42\n\nCan you tell me why?');
  });
});

describe('last lines that look like device signatures but are sentences (finding 9)', () => {
  test('"… from mobile" in a sentence', () => {
    assertKeptWhole('Hi,\n\nThe desktop app works now.\nLogin from mobile still fails.');
  });

  test('Swedish "Från min sida …"', () => {
    assertKeptWhole('Hej,\n\nFrån min sida är allt klart nu.');
  });

  test('"Sent by courier on Monday"', () => {
    assertKeptWhole('The replacement drive is on its way.\nSent by courier on Monday');
  });

  test('a "-Step" list at the end', () => {
    assertKeptWhole('To export the report:\n-Open Settings\n-Click Save');
  });

  test('real device signatures still go', () => {
    assertReply('Done.\n\nNik from mobile', 'Done.');
    assertReply('Done.\n\nSkickat från min iPhone', 'Done.');
    assertReply('Done.\n\nSent via the Samsung Galaxy smartphone', 'Done.');
    assertReply('Done.\n\n-Abhishek Kona', 'Done.');
  });
});

describe('HTML: only client quote marks override a text part, and inline answers stay (findings 10, 11)', () => {
  test('Gmail "Indent more" (a plain blockquote) does not override a text part that shows nothing to strip', () => {
    const text = 'Hi,\n\nPlease read this part again:\n\nThe export fails at 50%.\nBob';
    const html =
      '<div dir="ltr"><div>Hi,</div><div><br></div><div>Please read this part again:</div><blockquote style="margin:0 0 0 40px;border:none;padding:0px"><div>The export fails at 50%.</div><div>Bob</div></blockquote></div>';
    const split = splitReply({ text, html });
    assert.equal(split.reply, text, split.how);
  });

  test('HTML only: inline answers inside div.gmail_quote stay', () => {
    const html =
      '<div dir="ltr">See my answers below.</div><div class="gmail_quote"><div class="gmail_attr">On Mon, May 5, 2026 at 10:00 AM Support &lt;s@example.com&gt; wrote:</div><blockquote class="gmail_quote">Does it fail in Chrome?</blockquote><div>No, it fails in Firefox too.</div><blockquote class="gmail_quote">Which version?</blockquote><div>Firefox 125.</div></div>';
    const split = splitReply({ text: '', html });
    assert.equal(split.reply, 'See my answers below.\n\n> Does it fail in Chrome?\n\nNo, it fails in Firefox too.\n\n> Which version?\n\nFirefox 125.', split.how);
  });

  test('HTML only: a gmail_quote holding only the attribution and the quote is still cut', () => {
    const html = '<div dir="ltr">Fixed.</div><div class="gmail_quote"><div class="gmail_attr">On Mon, May 5, 2026 at 10:00 AM Support &lt;s@example.com&gt; wrote:</div><blockquote class="gmail_quote">Does it fail in Chrome?</blockquote></div>';
    assert.equal(splitReply({ text: '', html }).reply, 'Fixed.');
  });
});

describe('quote headers the docs promise (finding 19)', () => {
  const reply = 'ありがとうございます。直りました。';
  test('Japanese Outlook block: 差出人: / 送信日時: / 宛先: / 件名:', () => {
    assertReply(`${reply}\n\n差出人: サポート <support@example.com>\n送信日時: 2026年5月5日 10:00\n宛先: 山田 <yamada@example.com>\n件名: プリンター\n\n再起動しましたか？`, reply);
  });

  test('Japanese Apple Mail and Gmail: "…のメール:" and "… 書きました:"', () => {
    assertReply(`${reply}\n\n2026/05/05 10:00、サポート <support@example.com>のメール:\n\n> 再起動しましたか？`, reply);
    assertReply(`${reply}\n\n2026年5月5日(月) 10:00 サポート <support@example.com>:\n\n> 再起動しましたか？`, reply);
    assertReply(`${reply}\n\n2026年5月5日 10:00 サポート <support@example.com> 書きました:\n> 再起動しましたか？`, reply);
  });

  test('Polish Apple Mail: "Wiadomość napisana przez … w dniu …:"', () => {
    assertReply('Dziękuję, działa.\n\nWiadomość napisana przez Jan Kowalski <jan@example.com> w dniu 05.05.2026, o godz. 10:00:\n\n> Czy drukarka działa?', 'Dziękuję, działa.');
  });
});

describe('a wrapped header is rejoined however much was written above it (finding 13)', () => {
  test('300 pasted log lines, then a Gmail header wrapped at the address', () => {
    const log = Array.from({ length: 300 }, (_, i) => `2026-05-04 23:${String(i % 60).padStart(2, '0')}:01 INFO step ${i}: ok`).join('\n');
    const reply = `The log of last night:\n\n${log}\n\nWhat went wrong?`;
    const split = splitReplyText(`${reply}\n\nOn Mon, May 4, 2026 at 10:00 AM Support <\nsupport@example.com> wrote:\n> Please send the log.`);
    assert.equal(split.reply, reply, split.how);
  });
});
