// classify() against the labelled corpus (bounceparser labels.json, sisimai bsd/ and not/) and on
// built messages for each signal. Known disagreements with the labels are listed and explained.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { classify, parseMessage, type ClassificationKind, type Message } from '../../src/mail/index.js';
import { corpusDir, corpusFile, corpusMessages, corpusSkip } from '../support/mail-corpus.js';
import { HashingSink } from '../support/mail-sink.js';

const skip = corpusSkip();
const receivedAt = new Date('2024-01-01T00:00:00.000Z');
const parseRaw = (raw: Buffer) => parseMessage(raw, { receivedAt, sink: new HashingSink() });
const eml = (...lines: string[]) => parseRaw(Buffer.from([...lines, '', 'body'].join('\r\n')));

/** What the upstream labels say, in our terms. */
function labelled(): Map<string, ClassificationKind> {
  const out = new Map<string, ClassificationKind>();
  const labels = JSON.parse(readFileSync(join(corpusDir, 'bounceparser/expected/labels.json'), 'utf8')) as {
    labels: Record<string, { is_bounce: number }>;
  };
  // is_bounce 0 entries are auto-replies and challenge-responses: automatic answers.
  for (const [file, label] of Object.entries(labels.labels)) out.set(`bounceparser/${file}`, label.is_bounce ? 'bounce' : 'auto-reply');
  for (const { name } of corpusMessages()) {
    if (name.startsWith('sisimai/bsd/')) out.set(name, /rfc3834-/.test(name) ? 'auto-reply' : 'bounce');
    if (name.startsWith('sisimai/not/')) out.set(name, 'human');
  }
  return out;
}

/** Where we disagree with the labels, what we say instead, and why. */
const EXCEPTIONS: Record<string, { kind: ClassificationKind; why: string }> = {
  'bounceparser/boxbe-cr.msg': {
    kind: 'bounce',
    why: 'Boxbe challenge-response sent as a real RFC 3464 DSN (multipart/report, Action: failed, Status 4.7.0); upstream labels it "not a bounce" because the address is valid. Both kinds are ignored the same way.',
  },
  'bounceparser/boxbe-cr2.msg': { kind: 'bounce', why: 'as boxbe-cr.msg' },
  'bounceparser/whitelist.msg': {
    kind: 'bounce',
    why: 'a Postfix DSN from MAILER-DAEMON whose remote diagnostic asks the sender to whitelist; upstream calls it a challenge, not a bounce.',
  },
  'bounceparser/bluebottle.msg': {
    kind: 'human',
    why: 'MISSED: a Bluebottle challenge from the recipient\'s own address with subject "RE: BLAH" and no automatic-mail header (no Auto-Submitted, Precedence, null sender); only the body and X-Bluebottle-* headers tell.',
  },
  'bounceparser/spam-with-image.msg': {
    kind: 'human',
    why: 'labelled is_bounce=1 upstream (whose test expects zero bounce reports), but it is plain image spam with no bounce content at all.',
  },
  'sisimai/not/rb-issue-368-bug.eml': {
    kind: 'bounce',
    why: 'in sisimai not/ as a regression fixture, but it is a "Mailbox full" rejection from postmaster@ with a null sender and Auto-Submitted: auto-replied.',
  },
};

test('labelled corpus: classification matches the labels except the listed, explained cases', { skip }, async (t) => {
  const expected = labelled();
  assert.equal(expected.size, 28 + 36);
  const mismatches: string[] = [];
  const tally = { tp: 0, fp: 0, fn: 0, autoTp: 0, autoFp: 0, autoFn: 0 };
  for (const [name, label] of expected) {
    const got = classify(await parseRaw(corpusFile(name)));
    const exception = EXCEPTIONS[name];
    const want = exception?.kind ?? label;
    if (got.kind !== want) mismatches.push(`${name}: got ${got.kind} (${got.reason}), want ${want}`);
    if (label === 'bounce' && got.kind === 'bounce') tally.tp++;
    if (label !== 'bounce' && got.kind === 'bounce') tally.fp++;
    if (label === 'bounce' && got.kind !== 'bounce') tally.fn++;
    if (label === 'auto-reply' && got.kind === 'auto-reply') tally.autoTp++;
    if (label !== 'auto-reply' && got.kind === 'auto-reply') tally.autoFp++;
    if (label === 'auto-reply' && got.kind !== 'auto-reply') tally.autoFn++;
  }
  assert.deepEqual(mismatches, []);
  // Pinned so a change in either direction is noticed: bounce precision 50/54, recall 50/51;
  // automatic-answer labels (6 auto-replies + 4 challenge-responses): 6 auto-reply, 3 bounce, 1 missed.
  assert.deepEqual(tally, { tp: 50, fp: 4, fn: 1, autoTp: 6, autoFp: 0, autoFn: 4 });
  t.diagnostic(`bounce precision ${tally.tp}/${tally.tp + tally.fp}, recall ${tally.tp}/${tally.tp + tally.fn}`);
});

test('the verified auto-replies of the corpus are auto-replies, with the deciding header named', { skip }, async () => {
  const cases: [string, RegExp][] = [
    ['sisimai/bsd/rfc3834-01.eml', /^Auto-Submitted: auto-replied$/],
    ['sisimai/bsd/rfc3834-02.eml', /^X-Auto-Response-Suppress: All with X-MS-Exchange-Inbox-Rules-Loop/],
    ['sisimai/bsd/rfc3834-03.eml', /^X-Apple-Action: VACATION/],
    ['bounceparser/aol-vacation.msg', /^Auto-Submitted: auto-replied$/],
    ['bounceparser/autoreply.msg', /^Return-Path: <> \(null sender\)$/],
    ['bounceparser/polish-autoreply.msg', /^Subject: "\[Automatyczna odpowiedź\] test"$/],
  ];
  for (const [name, reason] of cases) {
    const result = classify(await parseRaw(corpusFile(name)));
    assert.equal(result.kind, 'auto-reply', name);
    assert.match(result.reason, reason, name);
  }
});

test('a DSN whose returned message was an auto-reply is a bounce (only top-level headers count)', { skip }, async () => {
  const result = classify(await parseRaw(corpusFile('sisimai/bsd/rhost-mimecast-01.eml')));
  assert.equal(result.kind, 'bounce');
});

test('whole corpus: no bulk or auto-reply false alarms on ordinary client mail', { skip }, async () => {
  // Real client replies (talon, redmine) are all human.
  for (const { name } of corpusMessages().filter((m) => /^(talon|redmine)\//.test(m.name))) {
    assert.equal(classify(await parseRaw(corpusFile(name))).kind, 'human', name);
  }
});

test('X-Auto-Response-Suppress alone is not a signal (Outlook and notifiers set it on normal mail)', async () => {
  for (const value of ['All', 'OOF, AutoReply', 'DR, RN, NRN, OOF, AutoReply']) {
    const result = classify(await eml('From: Ann <ann@example.com>', 'Subject: Printer broken', `X-Auto-Response-Suppress: ${value}`));
    assert.deepEqual(result, { kind: 'human', reason: 'no automatic-mail signal' });
  }
});

test('RFC 3834 Auto-Submitted', async () => {
  assert.equal(classify(await eml('From: a@example.com', 'Auto-Submitted: no')).kind, 'human');
  assert.deepEqual(classify(await eml('From: a@example.com', 'Auto-Submitted: auto-replied')), { kind: 'auto-reply', reason: 'Auto-Submitted: auto-replied' });
  assert.equal(classify(await eml('From: a@example.com', 'Auto-Submitted: auto-generated')).kind, 'auto-reply');
  assert.equal(classify(await eml('From: a@example.com', 'Auto-Submitted: Auto-Notified; owner-email="x@example.com"')).kind, 'auto-reply');
  // Sendmail's DSN marker makes it a bounce even without other signals.
  assert.equal(classify(await eml('From: a@example.com', 'Auto-Submitted: auto-generated (failure)')).kind, 'bounce');
});

test('vendor auto-reply headers', async () => {
  for (const header of ['X-Autoreply: yes', 'X-Autorespond: Out of office', 'X-Autoresponder: 1', 'X-Autogenerated: Reply', 'X-Apple-Action: VACATION', 'X-FC-MachineGenerated: true', 'Precedence: auto_reply']) {
    assert.equal(classify(await eml('From: a@example.com', 'Subject: hi', header)).kind, 'auto-reply', header);
  }
  assert.equal(classify(await eml('From: a@example.com', 'X-Autoreply: no')).kind, 'human');
});

test('auto-reply subjects are matched at the start only (a reply about one is human)', async () => {
  for (const subject of ['Auto: Meeting', 'Automatic reply: Your request', 'Autoreply: x', 'Auto-Reply: x', 'Out of Office: back Monday', 'Out of the office until May', 'Abwesenheitsnotiz: Anfrage', 'Réponse automatique : demande', '[Automatyczna odpowiedź] test', 'Re: question (Automatic Response)']) {
    assert.equal(classify(await eml('From: a@example.com', `Subject: =?utf-8?B?${Buffer.from(subject).toString('base64')}?=`)).kind, 'auto-reply', subject);
  }
  for (const subject of ['Re: Out of office note', 'Fwd: Automatic reply: Your request', 'Question about autoreplies', 'Automation project']) {
    assert.equal(classify(await eml('From: a@example.com', `Subject: ${subject}`)).kind, 'human', subject);
  }
});

test('bounces: report content type, mail-system senders, X-Failed-Recipients, MTA subjects', async () => {
  const bounce = async (...lines: string[]) => classify(await eml(...lines)).kind;
  assert.equal(await bounce('From: x@example.com', 'Content-Type: multipart/report; report-type=delivery-status; boundary="b"'), 'bounce');
  assert.equal(await bounce('From: x@example.com', 'Content-Type: multipart/report; boundary="b"'), 'bounce');
  assert.equal(await bounce('From: Mail Delivery System <MAILER-DAEMON@mx.example.com>', 'Subject: hello'), 'bounce');
  assert.equal(await bounce('From: MAILER-DAEMON', 'Subject: hello'), 'bounce');
  assert.equal(await bounce('From: postmaster@example.com', 'Subject: hello'), 'bounce');
  assert.equal(await bounce('From: x@example.com', 'X-Failed-Recipients: y@example.com'), 'bounce');
  assert.equal(await bounce('From: x@example.com', 'Subject: Undelivered Mail Returned to Sender'), 'bounce');
  assert.equal(await bounce('From: x@example.com', 'Subject: Delivery Status Notification (Failure)'), 'bounce');
  assert.equal(await bounce('From: x@example.com', 'Subject: Mail delivery failed: returning message to sender'), 'bounce');
  // A person forwarding a bounce to support is exactly the mail that must get through.
  assert.equal(await bounce('From: x@example.com', 'Subject: Fwd: Undelivered Mail Returned to Sender'), 'human');
  assert.equal(await bounce('From: mailer@example.com', 'Subject: hello'), 'human');
});

test('read receipts (MDN) are automatic answers, not bounces', async () => {
  const result = classify(await eml('From: x@example.com', 'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"'));
  assert.equal(result.kind, 'auto-reply');
});

test('null Return-Path: bounce from a mail system, auto-reply otherwise', async () => {
  assert.equal(classify(await eml('Return-Path: <>', 'From: MAILER-DAEMON@example.com')).kind, 'bounce');
  assert.deepEqual(classify(await eml('Return-Path: <>', 'From: Ann <ann@example.com>', 'Subject: Thanks for your mail')), { kind: 'auto-reply', reason: 'Return-Path: <> (null sender)' });
  assert.equal(classify(await eml('Return-Path: <ann@example.com>', 'From: Ann <ann@example.com>')).kind, 'human');
});

test('bulk: Precedence and X-Precedence bulk, junk; list mail (Google Groups) stays human', async () => {
  assert.equal(classify(await eml('From: a@example.com', 'Subject: Help', 'Precedence: list', 'List-Id: <support.example.com>')).kind, 'human');
  for (const header of ['Precedence: bulk', 'Precedence: junk', 'X-Precedence: bulk', 'Precedence: Bulk']) {
    const result = classify(await eml('From: news@example.com', 'Subject: Newsletter', header));
    assert.equal(result.kind, 'bulk', header);
    assert.match(result.reason, /Precedence: /i);
  }
  assert.equal(classify(await eml('From: a@example.com', 'Precedence: normal')).kind, 'human');
});

test('own loop: marker header, or a Message-ID on an own domain (or subdomain)', async () => {
  assert.deepEqual(classify(await eml('From: a@example.com', 'X-Mailbind-Loop: support@ours.example')), { kind: 'own-loop', reason: 'X-Mailbind-Loop: support@ours.example' });
  const own = await eml('From: a@example.com', 'Message-ID: <abc@mail.ours.example>');
  assert.deepEqual(classify(own, ['ours.example']), { kind: 'own-loop', reason: 'Message-ID on own domain ours.example' });
  assert.equal(classify(own, ['@OURS.example']).kind, 'own-loop');
  assert.equal(classify(own, ['other.example', '']).kind, 'human');
  assert.equal(classify(own).kind, 'human');
  assert.equal(classify(await eml('From: a@example.com', 'Message-ID: <abc@notours.example>'), ['ours.example']).kind, 'human');
  // A synthesised id never matches, whatever the configuration says.
  const synthetic: Message = await eml('From: a@example.com');
  assert.equal(classify(synthetic, ['mailbind.invalid']).kind, 'human');
});

test('precedence of signals: own-loop > bounce > auto-reply > bulk', async () => {
  const all = ['X-Mailbind-Loop: yes', 'From: MAILER-DAEMON@example.com', 'Auto-Submitted: auto-replied', 'Precedence: bulk'];
  assert.equal(classify(await eml(...all)).kind, 'own-loop');
  assert.equal(classify(await eml(...all.slice(1))).kind, 'bounce');
  assert.equal(classify(await eml('From: a@example.com', ...all.slice(2))).kind, 'auto-reply');
  assert.equal(classify(await eml('From: a@example.com', ...all.slice(3))).kind, 'bulk');
});
