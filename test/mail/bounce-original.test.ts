// bouncedOriginal(): which mail a bounce returns and to whom it failed, from built DSNs and from the
// corpus's real reports of each MTA family.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bouncedOriginal, classify, deliveryFailed, parseMessage } from '../../src/mail/index.js';
import { MAX_RETURNED_HEADER_BYTES, readReturnedHeaders } from '../../src/mail/returned-headers.js';
import { corpusFile, corpusSkip } from '../support/mail-corpus.js';
import { HashingSink } from '../support/mail-sink.js';
import { makeDsn, makeMessage } from '../support/messages.js';

const skip = corpusSkip();
const receivedAt = new Date('2026-11-24T10:00:00.000Z');
const parseRaw = (raw: Buffer) => parseMessage(raw, { receivedAt, sink: new HashingSink() });

test('a DSN returning the whole message names its Message-ID, recipient, status and diagnostic', async () => {
  const message = await parseRaw(makeDsn({ originalMessageId: 'ack-1@mailbind.test', recipient: 'ann@example.com' }));
  assert.equal(classify(message).kind, 'bounce');
  assert.equal(message.returnedHeaders?.find((h) => h.name === 'message-id')?.value, '<ack-1@mailbind.test>');
  assert.deepEqual(bouncedOriginal(message), {
    messageIds: ['ack-1@mailbind.test'],
    recipients: [{ address: 'ann@example.com', status: '5.1.1', action: 'failed', diagnostic: '550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown' }],
  });
});

test('a DSN returning only the headers (text/rfc822-headers) names the Message-ID too', async () => {
  const message = await parseRaw(makeDsn({ originalMessageId: 'ack-2@mailbind.test', recipient: 'bob@example.com', headersOnly: true }));
  assert.deepEqual(bouncedOriginal(message)?.messageIds, ['ack-2@mailbind.test']);
});

test('mail that returns nothing has no returned headers, and no original', async () => {
  const message = await parseRaw(makeMessage({ body: 'Hello' }));
  assert.equal(message.returnedHeaders, undefined);
  assert.equal(bouncedOriginal(message), null);
});

test('only the first 16 KiB of a returned message are read for its headers', () => {
  const filler = Array.from({ length: 400 }, (_, i) => `X-Filler-${i}: ${'x'.repeat(60)}`).join('\r\n');
  const headers = readReturnedHeaders(Buffer.from(`${filler}\r\nMessage-ID: <late@example.com>\r\n\r\nbody`));
  assert.ok(headers.length > 0 && headers.length < 400);
  assert.ok(headers.every((h) => h.name !== 'message-id'), 'a Message-ID past the cap is not read');
  assert.ok(headers.reduce((n, h) => n + h.name.length + h.value.length, 0) <= MAX_RETURNED_HEADER_BYTES);
});

test('the corpus DSNs of each MTA family name the mail they return and who failed', { skip }, async () => {
  const cases: Array<[string, string, string, RegExp | null]> = [
    // Postfix (RFC 3464, message/rfc822)
    ['bounceparser/postfix.msg', '20060527213404.GN13012@mta.domain-1.com', 'bounce@dest.example.com', /554 <bounce@dest\.example\.com>: Relay access denied/],
    // Sendmail (RFC 3464, message/rfc822)
    ['sisimai/bsd/lhost-sendmail-01.eml', 'E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org', 'userunknown@bouncehammer.jp', /^550 5\.1\.1 /],
    // Exim (free text, X-Failed-Recipients, the original quoted after the report)
    ['sisimai/bsd/lhost-exim-01.eml', 'E1P1ce6-000Egt-GZ@e1.example.org', 'kijitora@example.ed.jp', /^550 5\.7\.0 /],
    // Gmail (free text, X-Failed-Recipients)
    ['sisimai/bsd/lhost-gmail-01.eml', 'D992C2C3-F175-4C4D-97E2-53A90E4E5BF5@gmail.com', 'userunknown@example.jp', /^550 5\.1\.1 /],
    // Exchange Online / Outlook.com (RFC 3464)
    ['sisimai/bsd/lhost-outlook-01.eml', 'BLU436-SMTP6645ECA6E7FEFFE86D040BBA770@phx.gbl', 'kijitora@example.jp', /Mailbox Full/],
    ['sisimai/bsd/rhost-microsoft-01.eml', '00000000000000000000000000000000000000000000000@example.net', 'kijitora@example.com', /^550 5\.7\.606 /],
    // Amazon SES
    ['nodemailer-mailparser/delivery-status.eml', 'xxxxx@email.amazonses.com', 'xxxx@xxxx.com', /suppression list/],
  ];
  for (const [name, id, recipient, diagnostic] of cases) {
    const message = await parseRaw(corpusFile(name));
    assert.equal(classify(message).kind, 'bounce', name);
    const original = bouncedOriginal(message);
    assert.equal(original?.messageIds[0], id, name);
    const failed = original?.recipients.find((r) => r.address === recipient);
    assert.ok(failed, `${name}: ${recipient} among ${JSON.stringify(original?.recipients)}`);
    if (diagnostic) assert.match(failed.diagnostic ?? '', diagnostic, name);
  }
});

test('corpus DSNs whose returned part carries no Message-ID name no original, but still tell who failed when they report it', { skip }, async () => {
  // Postfix's lhost-postfix-01 returns an empty message/rfc822 part; Exchange 2007's returned headers
  // have no Message-ID: their reports still name the recipient (the mail is then found by our return
  // address). Exchange 2003, Domino and OpenSMTPD quote no Message-ID and report in free text only.
  const cases: Array<[string, string | null]> = [
    ['sisimai/bsd/lhost-postfix-01.eml', 'r@p351355.pool.example.ne.jp'],
    ['sisimai/bsd/lhost-exchange2007-01.eml', 'mikeneko@example.co.jp'],
    ['sisimai/bsd/lhost-exchange2003-01.eml', null],
    ['sisimai/bsd/lhost-domino-01.eml', null],
    ['sisimai/bsd/lhost-opensmtpd-01.eml', null],
  ];
  for (const [name, recipient] of cases) {
    const message = await parseRaw(corpusFile(name));
    assert.equal(classify(message).kind, 'bounce', name);
    const original = bouncedOriginal(message);
    if (recipient === null) {
      assert.equal(original, null, name);
    } else {
      assert.deepEqual(original?.messageIds, [], name);
      assert.deepEqual(original?.recipients.map((r) => r.address), [recipient], name);
    }
  }
});

test('a report naming a recipient but no Message-ID (nothing returned) is an original without ids', async () => {
  const message = await parseRaw(makeDsn({ originalMessageId: null, recipient: 'ann@example.com' }));
  assert.equal(classify(message).kind, 'bounce');
  assert.deepEqual(bouncedOriginal(message)?.messageIds, []);
  assert.equal(bouncedOriginal(message)?.recipients[0]?.address, 'ann@example.com');
});

test('a delay warning is not a failed delivery; a failure is, by its Action or, without one, a 5.x.x status or 5xx reply', () => {
  assert.equal(deliveryFailed({ address: 'a@x', action: 'failed', status: '5.1.1' }), true);
  assert.equal(deliveryFailed({ address: 'a@x', action: 'delayed', status: '4.4.7' }), false);
  assert.equal(deliveryFailed({ address: 'a@x', action: 'delivered' }), false);
  assert.equal(deliveryFailed({ address: 'a@x', status: '5.2.2' }), true);
  assert.equal(deliveryFailed({ address: 'a@x', status: '4.2.2' }), false);
  assert.equal(deliveryFailed({ address: 'a@x', diagnostic: '451 try again later' }), false);
  assert.equal(deliveryFailed({ address: 'a@x', diagnostic: '550 user unknown' }), true);
});
