// List mail (issue 12, loop defence): List-Id or List-Unsubscribe is bulk only together with a bulk
// signal, and the reason names both. A person's post relayed by a mailing list stays human.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, parseMessage } from '../../src/mail/index.js';
import { corpusFile, corpusSkip } from '../support/mail-corpus.js';
import { HashingSink } from '../support/mail-sink.js';

const skip = corpusSkip();
const receivedAt = new Date('2024-01-01T00:00:00.000Z');
const parseRaw = (raw: Buffer) => parseMessage(raw, { receivedAt, sink: new HashingSink() });
const eml = (...lines: string[]) => parseRaw(Buffer.from([...lines, '', 'body'].join('\r\n')));

const LIST_ID = 'List-Id: Offers <offers.news.example>';
const UNSUBSCRIBE = 'List-Unsubscribe: <https://news.example/u?id=42>';

test('list mail with a bulk-sender signal is bulk, and the reason names the list header and the signal', async () => {
  const cases: [string, string, string][] = [
    [LIST_ID, 'Feedback-ID: 1.us-west-2.abc:AmazonSES', 'List-Id: Offers <offers.news.example> with Feedback-ID: 1.us-west-2.abc:AmazonSES'],
    [UNSUBSCRIBE, 'List-Unsubscribe-Post: List-Unsubscribe=One-Click', 'List-Unsubscribe: <https://news.example/u?id=42> with List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058 one-click unsubscribe)'],
    [UNSUBSCRIBE, 'X-SES-Outgoing: 2023.09.02-54.240.27.27', 'List-Unsubscribe: <https://news.example/u?id=42> with X-SES-Outgoing: 2023.09.02-54.240.27.27 (Amazon SES)'],
    [UNSUBSCRIBE, 'X-Mailgun-Sid: WyI0ZTk', 'List-Unsubscribe: <https://news.example/u?id=42> with X-Mailgun-Sid: WyI0ZTk (Mailgun)'],
    [UNSUBSCRIBE, 'X-SG-EID: u001.abc', 'List-Unsubscribe: <https://news.example/u?id=42> with X-SG-EID: u001.abc (SendGrid)'],
    [UNSUBSCRIBE, 'X-MC-User: 7c0eed00da5d863f', 'List-Unsubscribe: <https://news.example/u?id=42> with X-MC-User: 7c0eed00da5d863f (Mailchimp/Mandrill)'],
    [UNSUBSCRIBE, 'X-Campaignid: example20100129.2', 'List-Unsubscribe: <https://news.example/u?id=42> with X-Campaignid: example20100129.2 (campaign id)'],
    [LIST_ID, 'Precedence: bulk', 'Precedence: bulk with List-Id: Offers <offers.news.example>'],
  ];
  for (const [list, signal, reason] of cases) {
    assert.deepEqual(classify(await eml('From: news@news.example', 'Subject: This week', list, signal)), { kind: 'bulk', reason }, signal);
  }
});

test('a bulk-sender signal without a list header is not bulk on its own', async () => {
  for (const signal of ['Feedback-ID: 1:campaign:esp', 'X-SES-Outgoing: 2023.09.02', 'X-Mailgun-Tag: tag', 'X-SG-EID: u001', 'X-MC-User: abc', 'X-Campaign: 12', 'List-Unsubscribe-Post: List-Unsubscribe=One-Click']) {
    // Transactional mail a person's request may come from (a shop's order form through SES, say).
    assert.equal(classify(await eml('From: orders@shop.example', 'Subject: Order 1234', signal)).kind, 'human', signal);
  }
});

test("a person's post relayed by a mailing list stays human: List-Id alone, with Precedence: list, with the list's own one-click unsubscribe", async () => {
  assert.equal(classify(await eml('From: ann@acme.example', 'Subject: Export fails', LIST_ID)).kind, 'human');
  assert.equal(classify(await eml('From: ann@acme.example', 'Subject: Export fails', LIST_ID, UNSUBSCRIBE, 'List-Post: <mailto:support@acme.example>')).kind, 'human');
  assert.equal(classify(await eml('From: ann@acme.example', 'Subject: Export fails', 'Precedence: list', LIST_ID, UNSUBSCRIBE)).kind, 'human');
  // Google Groups puts its own one-click unsubscribe on the posts it relays; Precedence: list or its
  // group id header says the list, not the sender, is speaking.
  const google = ['List-Id: <support.acme.example>', 'List-Unsubscribe: <mailto:googlegroups-manage+1+unsubscribe@googlegroups.com>', 'List-Unsubscribe-Post: List-Unsubscribe=One-Click'];
  assert.equal(classify(await eml('From: ann@acme.example', 'Subject: Help', 'Precedence: list', ...google)).kind, 'human');
  assert.equal(classify(await eml('From: ann@acme.example', 'Subject: Help', 'X-Google-Group-Id: 123456', ...google)).kind, 'human');
  // …but an ESP's own mark survives the relay: a newsletter sent to the group is still bulk.
  assert.equal(classify(await eml('From: news@news.example', 'Subject: Offers', 'Precedence: list', ...google, 'X-SES-Outgoing: 2023.09.02')).kind, 'bulk');
});

test('X-Mailer alone says nothing: an Outlook post with List-Id (corpus) stays human', { skip }, async () => {
  const result = classify(await parseRaw(corpusFile('mikel-mail/error_emails/empty_in_reply_to.eml')));
  assert.equal(result.kind, 'human');
});

test('Launchpad bug mail relayed by Mailman (corpus) is bulk, naming Precedence and the list', { skip }, async () => {
  const result = classify(await parseRaw(corpusFile('nodemailer-mailparser/large_text.eml')));
  assert.deepEqual(result, { kind: 'bulk', reason: 'Precedence: bulk with List-Id: Ubuntu bug tracker changes - HIGH VOLUME <ubuntu-bugs.lists.ubuntu.com>' });
});

test('signal values are clipped in the reason', async () => {
  const result = classify(await eml('From: news@news.example', `List-Id: ${'x'.repeat(5000)}`, 'Feedback-ID: 1'));
  assert.equal(result.kind, 'bulk');
  assert.ok(result.reason.length < 200, result.reason);
});
