// splitReplyText on replies built for each signal it knows: quote headers in each language we support,
// Outlook header blocks, original-message and forward separators, signatures, wrapped Gmail headers, and
// what it must leave alone. The real-world corpus is scored in test/score/replies.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitReplyText } from '../../../src/mail/reply/text.js';

const REPLY = 'Thanks, the printer works again.';
const QUOTED = '> Did you restart the printer?\n> It should print after that.';

/** The reply above `header` and a quote: the split must give the reply alone, the rest removed. */
function assertCutAt(header: string, quote = QUOTED): void {
  const split = splitReplyText(`${REPLY}\n\n${header}\n${quote}\n`);
  assert.equal(split.reply, REPLY, `header ${JSON.stringify(header)}: ${split.how}`);
  assert.ok(split.removed.startsWith(header.split('\n')[0]!), `removed starts with the header: ${JSON.stringify(split.removed)}`);
  assert.equal(split.fullTextKept, false);
}

describe('quote headers ("On … wrote:") in each language', () => {
  const headers: Record<string, string[]> = {
    en: ['On Mon, Nov 23, 2026 at 10:00 AM Jane Doe <jane@example.com> wrote:', 'On 23/11/2026 10:00, Jane Doe wrote:'],
    de: ['Am Mo., 23. Nov. 2026 um 10:00 Uhr schrieb Jane Doe <jane@example.com>:', 'Am 23.11.2026 um 10:00 schrieb Jane Doe:'],
    fr: ['Le lun. 23 nov. 2026 à 10:00, Jane Doe <jane@example.com> a écrit :', 'Le 23/11/2026 à 10:00, Jane Doe a écrit :'],
    es: ['El lun, 23 nov 2026 a las 10:00, Jane Doe (<jane@example.com>) escribió:'],
    nl: ['Op ma 23 nov. 2026 om 10:00 schreef Jane Doe <jane@example.com>:', 'Op 23-11-2026 om 10:00 heeft Jane Doe het volgende geschreven:'],
    pl: ['W dniu 23.11.2026 o 10:00, Jan Kowalski pisze:', 'pon., 23 lis 2026 o 10:00 Jan Kowalski <jan@example.com> napisał(a):'],
    ru: ['23.11.2026 10:00, Иван Петров написал:', 'пн, 23 нояб. 2026 г. в 10:00, Иван Петров <ivan@example.com>:', '23 ноября 2026 г., в 10:00, Иван Петров написал(а):'],
    sv: ['Den mån 23 nov. 2026 kl 10:00 skrev Jane Doe <jane@example.com>:', '23 nov. 2026 kl. 10:00 skrev Jane Doe <jane@example.com>:'],
    cs: ['Dne po 23. 11. 2026 v 10:00 Jan Novák <jan@example.com> napsal(a):'],
    uk: ['пн, 23 лист. 2026 р. о 10:00 Олена <olena@example.com> пише:', '23.11.2026 10:00, Олена Коваль написав(ла):'],
  };
  for (const [language, lines] of Object.entries(headers)) {
    test(`${language}: the reply is the text above the header`, () => {
      for (const header of lines) assertCutAt(header);
    });
  }

  test('"On <date> … said:" opens a sentence, not a quote (the trimmer counts "said" and "says")', () => {
    const text = 'On 2026-01-05 at 10:00 our monitoring said:\nDisk full on server 3.\nPlease help.';
    assert.equal(splitReplyText(text).reply, text);
  });

  test('a quote header inside the quote (Apple Mail quotes its own header) cuts there too', () => {
    assertCutAt('> On 22 Aug 2026, at 19:21, Jane Doe <jane@example.com> wrote:\n>');
  });
});

describe('Outlook header blocks ("From: … Sent: … To: … Subject:") in each language', () => {
  const blocks: Record<string, string> = {
    en: 'From: Jane Doe <jane@example.com>\nSent: Monday, November 23, 2026 10:00 AM\nTo: Support <support@example.com>\nSubject: RE: Printer',
    de: 'Von: Jane Doe <jane@example.com>\nGesendet: Montag, 23. November 2026 10:00\nAn: Support <support@example.com>\nBetreff: AW: Drucker',
    fr: 'De : Jane Doe <jane@example.com>\nEnvoyé : lundi 23 novembre 2026 10:00\nÀ : Support <support@example.com>\nObjet : RE: Imprimante',
    es: 'De: Jane Doe <jane@example.com>\nEnviado el: lunes, 23 de noviembre de 2026 10:00\nPara: Support <support@example.com>\nAsunto: RE: Impresora',
    nl: 'Van: Jane Doe <jane@example.com>\nVerzonden: maandag 23 november 2026 10:00\nAan: Support <support@example.com>\nOnderwerp: RE: Printer',
    pl: 'Od: Jan Kowalski <jan@example.com>\nWysłano: poniedziałek, 23 listopada 2026 10:00\nDo: Support <support@example.com>\nTemat: RE: Drukarka',
    ru: 'От: Иван Петров <ivan@example.com>\nОтправлено: 23 ноября 2026 г. 10:00\nКому: Support <support@example.com>\nТема: RE: Принтер',
    sv: 'Från: Jane Doe <jane@example.com>\nSkickat: den 23 november 2026 10:00\nTill: Support <support@example.com>\nÄmne: SV: Skrivare',
    uk: 'Від: Олена Коваль <olena@example.com>\nНадіслано: 23 листопада 2026 р. 10:00\nКому: Support <support@example.com>\nТема: RE: Принтер',
  };
  for (const [language, block] of Object.entries(blocks)) {
    test(`${language}: the reply is the text above the block, the old mail under it is removed`, () => {
      const split = splitReplyText(`${REPLY}\n\n${block}\n\nDid you restart the printer?\n`);
      assert.equal(split.reply, REPLY, split.how);
      assert.match(split.removed, /Did you restart the printer\?$/);
    });
  }

  test('Outlook HTML turned into text: "*From:* … *Sent:* …" under a rule of dashes', () => {
    const split = splitReplyText(`${REPLY}\n\n ------------------------------\n\n*From:* Jane Doe [mailto:jane@example.com]\n*Sent:* Thursday, February 09, 2026 1:36 PM\n*To:* support@example.com\n*Subject:* Printer\n\nOld text\n`);
    assert.equal(split.reply, REPLY);
  });

  test('header-shaped lines with no subject and no address are the reply, not an embedded mail', () => {
    const text = 'Please book the transfer:\nFrom: Berlin\nTo: Paris\nDate: 5 May 2026\n\nThanks';
    assert.equal(splitReplyText(text).reply, text);
  });

  test('one line that looks like a header field is a sentence of the reply, not a header block', () => {
    const split = splitReplyText('Please check the invoice.\nSubject: the March invoice, not April.\n\nThanks');
    assert.equal(split.reply, 'Please check the invoice.\nSubject: the March invoice, not April.\n\nThanks');
  });
});

describe('original-message and forward separators', () => {
  const separators = [
    '-----Original Message-----',
    '----- Original Message -----',
    '-----Ursprüngliche Nachricht-----',
    "-----Message d'origine-----",
    '-----Mensaje original-----',
    '-----Oorspronkelijk bericht-----',
    '-----Wiadomość oryginalna-----',
    '-----Исходное сообщение-----',
    '-----Ursprungligt meddelande-----',
    '-----Оригінальне повідомлення-----',
    '---------- Forwarded message ---------',
    'Begin forwarded message:',
    'Anfang der weitergeleiteten Nachricht:',
    'Début du message transféré :',
  ];
  for (const separator of separators) {
    test(`"${separator}" ends the reply`, () => {
      const split = splitReplyText(`${REPLY}\n\n${separator}\nFrom: Jane Doe <jane@example.com>\nDate: 23 Nov 2026\n\nOld text\n`);
      assert.equal(split.reply, REPLY, split.how);
      assert.ok(split.removed.startsWith(separator), split.removed);
    });
  }

  test('a forward with nothing written above it: the forwarded mail is the reply', () => {
    const split = splitReplyText('---------- Forwarded message ----------\nFrom: Jane Doe <jane@example.com>\nDate: Thu, Jan 28, 2026 at 4:00 PM\nSubject: Printer\nTo: support@example.com\n\n\nThe printer on floor 2 is jammed.\n');
    assert.equal(split.reply, 'The printer on floor 2 is jammed.');
  });
});

describe('Gmail headers wrapped over two or more lines', () => {
  test('the address wrapped to the next line', () => {
    assertCutAt('On Mon, Nov 23, 2026 at 10:00 AM Jane Doe <\njane@example.com> wrote:');
  });
  test('"wrote:" alone on the next line', () => {
    assertCutAt('On Mon, Nov 23, 2026 at 10:00 AM, Jane Doe <jane@example.com>\nwrote:');
  });
  test('name, address and "wrote:" on three lines', () => {
    assertCutAt('On Dec 16, 2026, at 12:47 PM, Corey Donohoe\n<reply@example.com>\nwrote:');
  });
  test('Russian: "пользователь … <" / "… написал:"', () => {
    assertCutAt('02.04.2026 14:20 пользователь "bob@example.com" <\nbob@example.com> написал:');
  });
  test('text made from HTML: a mail link printed with its address after it', () => {
    // mailparser makes the text of an HTML-only mail with html-to-text, which prints links so.
    assertCutAt('26.06.2026, 14:41, "Jane Doe" <jane@example.com [jane@example.com]>:');
    assertCutAt('26.06.2026, 14:41, "Jane Doe" <jane@example.com [mailto:jane@example.com]>:');
  });

  test('a dated line of the reply is not pulled into the header below it', () => {
    const split = splitReplyText('The meeting is on 2026-11-25 at 10:00.\nOn Mon, Nov 23, 2026 at 10:00 AM Jane Doe <jane@example.com> wrote:\n> Can we meet?\n');
    assert.equal(split.reply, 'The meeting is on 2026-11-25 at 10:00.');
  });
});

describe('signatures', () => {
  test('"-- " and what follows it go', () => {
    const split = splitReplyText(`${REPLY}\n\n-- \nJane Doe\nSupport lead, Example Inc.\n`);
    assert.equal(split.reply, REPLY);
    assert.equal(split.removed, '-- \nJane Doe\nSupport lead, Example Inc.');
  });

  test('"Sent from my iPhone" as the last thing goes, in each of its forms', () => {
    for (const signature of ['Sent from my iPhone', 'Sent from my Verizon Wireless BlackBerry', 'Von meinem iPhone gesendet', 'Envoyé depuis mon iPhone', 'Enviado desde mi iPhone', 'Verzonden met BlackBerry Work', 'Wysłane z mojego iPhone’a', 'Отправлено с iPhone', 'Skickat från min iPhone', 'Get Outlook for Android', 'Sent from my cell, please excuse any typos.']) {
      const split = splitReplyText(`${REPLY}\n\n${signature}\n`);
      assert.equal(split.reply, REPLY, `${signature}: ${split.how}`);
    }
  });

  test('a device signature above the quote goes with it', () => {
    assertCutAt('Sent from my iPhone\n\nOn Apr 3, 2026, at 4:19 PM, bob <bob@example.com> wrote:');
  });

  test('"Sent from my …" that goes on as a sentence stays', () => {
    const text = 'Here is another email\n\nSent from my desk, is much easier then my mobile phone.';
    assert.equal(splitReplyText(text).reply, text);
  });

  test('"Sent from my iPhone" with more writing after it stays', () => {
    const text = 'Short answer first.\nSent from my iPhone\nLonger answer: the printer needs a new drum.';
    assert.equal(splitReplyText(text).reply, text);
  });

  test('a "-Name" sign-off at the end goes; a bullet list stays', () => {
    assert.equal(splitReplyText('Oh thanks.\n\nHaving the function would be great.\n\n-Abhishek Kona\n').reply, 'Oh thanks.\n\nHaving the function would be great.');
    const list = 'Two things:\n\n- Restart the printer\n- Clear the queue';
    assert.equal(splitReplyText(list).reply, list);
  });

  test('"--" in the middle of a line is no signature', () => {
    const text = 'And here is a fix -- this is not a signature.\n\nkthxbai';
    assert.equal(splitReplyText(text).reply, text);
  });
});

describe('what a split returns', () => {
  test('removed holds the quote header and the quote, the reply only the new text', () => {
    const split = splitReplyText(`${REPLY}\n\nOn Mon, Nov 23, 2026 at 10:00 AM Jane Doe <jane@example.com> wrote:\n${QUOTED}\n`);
    assert.equal(split.reply, REPLY);
    assert.equal(split.removed, `On Mon, Nov 23, 2026 at 10:00 AM Jane Doe <jane@example.com> wrote:\n${QUOTED}`);
    assert.match(split.how, /quote header/);
  });

  test('never empty: an all-quoted mail is kept whole, and the trace says so', () => {
    const split = splitReplyText('> only quoted\r\n> lines\r\n');
    assert.equal(split.reply, '> only quoted\n> lines');
    assert.equal(split.removed, '');
    assert.equal(split.fullTextKept, true);
    assert.match(split.how, /whole text is the reply/);
  });

  test('a reply under the quote (bottom posting) is the text below it', () => {
    const split = splitReplyText('On 04/02/2026 06:26 PM, Megan One wrote:\n> Hi\nHello');
    assert.equal(split.reply, 'Hello');
  });

  test('nothing to strip: the text is the reply and the trace says so', () => {
    const split = splitReplyText('No quote at all.\n');
    assert.deepEqual(split, { reply: 'No quote at all.', removed: '', how: 'text: nothing to strip', fullTextKept: false });
  });

  test('empty and blank text give an empty reply, not a kept full text', () => {
    for (const text of ['', '   \n\t\n']) assert.deepEqual(splitReplyText(text), { reply: '', removed: '', how: 'text: empty', fullTextKept: false });
  });

  test('code blocks keep lines that would otherwise be delimiters or quotes', () => {
    const text = 'See:\n\n```\n# comment\n--\n> not a quote\n```\n\nEnd.';
    assert.equal(splitReplyText(text).reply, text);
  });
});
