// Every scan of mail content in the classifier and the reference finders is linear or bounded:
// pathological inputs finish well inside a deadline. The deadline (2 s) is generous on purpose: it
// catches quadratic or exponential backtracking (minutes), not a slow machine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, findTicketReference, normalizeMessageId, parseMessageIdList, type Header, type Message } from '../../src/mail/index.js';
import { scanHeaders, scanMessageId } from '../../src/mail/header-scan.js';

const DEADLINE_MS = 2000;
const MB = 1024 * 1024;

function within<T>(what: string, work: () => T): T {
  const started = performance.now();
  const result = work();
  const elapsed = performance.now() - started;
  assert.ok(elapsed < DEADLINE_MS, `${what} took ${Math.round(elapsed)} ms (deadline ${DEADLINE_MS} ms)`);
  return result;
}

/** A parsed message as parseMessage would give it, built directly so only classify is timed. */
function message(parts: { subject?: string; text?: string; headers?: Header[] }): Message {
  return {
    messageId: 'a@example.com',
    messageIdSynthesized: false,
    inReplyTo: null,
    references: [],
    from: { name: '', address: 'ann@example.com' },
    sender: null,
    replyTo: [],
    to: [],
    cc: [],
    subject: parts.subject ?? '',
    date: '2024-01-01T00:00:00.000Z',
    dateFromHeader: true,
    textFromHtml: false,
    text: parts.text ?? '',
    html: null,
    attachments: [],
    headers: [{ name: 'from', value: 'ann@example.com' }, ...(parts.headers ?? [])],
    size: 0,
  };
}

test('classify: 1 MB subjects of spaces, "Re: " repeats and near-misses of every subject pattern', () => {
  const subjects = [
    ' '.repeat(MB),
    'Re: '.repeat(MB / 4),
    '[' + ' '.repeat(MB) + 'x',
    '(auto-reply)' + ' '.repeat(MB) + 'x',
    'Please verify ' + 'a'.repeat(MB),
    'x'.repeat(MB) + ' [Qurb #' + '1'.repeat(1000),
    '('.repeat(MB),
  ];
  for (const subject of subjects) {
    const result = within(`subject ${JSON.stringify(subject.slice(0, 20))}…`, () => classify(message({ subject })));
    assert.equal(result.kind, 'human');
  }
});

test('classify: a 1 MB body without newlines, and 1 MB of short lines, with a null sender so the body is read', () => {
  const nullSender: Header = { name: 'return-path', value: '<>' };
  const bodies = ['a'.repeat(MB), 'this is the mail system at host '.repeat(MB / 32), 'x\n'.repeat(MB / 2), ' '.repeat(MB) + 'x'];
  for (const text of bodies) {
    const result = within(`body ${JSON.stringify(text.slice(0, 20))}…`, () => classify(message({ text, headers: [nullSender] })));
    assert.notEqual(result.kind, 'human');
  }
});

test('classify: 100 000 header lines, and 1 MB header values', () => {
  const many: Header[] = Array.from({ length: 100_000 }, (_, i) => ({ name: `x-filler-${i % 50}`, value: 'v'.repeat(20) }));
  within('100 000 headers', () => classify(message({ headers: many })));
  const huge = 'a'.repeat(MB);
  const big: Header[] = ['content-type', 'auto-submitted', 'return-path', 'precedence', 'x-autoreply', 'x-loop', 'x-auto-response-suppress', 'message-id', 'x-hmxmroriginalrecipient'].map((name) => ({ name, value: ` ${huge}` }));
  within('1 MB header values', () => classify(message({ headers: big })));
  within('1 MB From header', () => classify({ ...message({}), from: null, headers: [{ name: 'from', value: '<'.repeat(MB) + ' postmaster' + ' '.repeat(MB) }] }));
  // List mail: 100 000 distinct header names are walked for an X-Mailgun-… one, and list values of
  // 1 MB of whitespace are folded into a reason.
  const distinct: Header[] = [{ name: 'list-unsubscribe', value: `<${' \t'.repeat(MB / 2)}>` }, ...Array.from({ length: 100_000 }, (_, i) => ({ name: `x-filler-${i}`, value: 'v' }))];
  within('list header with 100 000 distinct header names', () => classify(message({ headers: distinct })));
  const bigList: Header[] = ['list-id', 'list-unsubscribe', 'list-unsubscribe-post', 'feedback-id', 'x-campaign'].map((name) => ({ name, value: ` ${' '.repeat(MB)}x` }));
  within('1 MB list header values', () => classify(message({ headers: bigList })));
});

test('references: "((((" × 1 MB and "<<<<" × 1 MB in References, Ticket# with a million digits', () => {
  for (const value of ['('.repeat(MB), '('.repeat(MB) + ')', '(a'.repeat(MB / 2), '<'.repeat(MB), '<a@b> '.repeat(MB / 6), ' '.repeat(MB), 'a@b,'.repeat(MB / 4)]) {
    within(`References ${JSON.stringify(value.slice(0, 10))}…`, () => parseMessageIdList(value));
    within(`Message-ID ${JSON.stringify(value.slice(0, 10))}…`, () => normalizeMessageId(value));
  }
  assert.equal(within('Ticket# + 1M digits', () => findTicketReference('Ticket#' + '9'.repeat(MB))), null);
  assert.equal(within('Ticket# + 1M zeros then 5', () => findTicketReference('Ticket#' + '0'.repeat(MB) + '5')), 5);
  assert.equal(within('"Ticket#" × 100k', () => findTicketReference('Ticket#'.repeat(100_000))), null);
});

test('header scan: 100 000 header lines, a 1 MB folded header, no blank line', () => {
  const lines = Array.from({ length: 100_000 }, (_, i) => `X-Filler-${i}: value`).join('\r\n');
  const raw = Buffer.from(`${lines}\r\nMessage-ID: <late@example.com>\r\n\r\nbody`);
  within('100 000 header lines', () => scanHeaders(raw));
  const folded = Buffer.from('Subject: a\r\n' + ' b\r\n'.repeat(MB / 4) + '\r\nbody');
  within('1 MB folded header', () => scanHeaders(folded));
  within('Message-ID of "<" × 1 MB', () => scanMessageId(Buffer.from('Message-ID: ' + '<'.repeat(MB) + '\r\n\r\n')));
});
