// Every built-in condition of src/rules/conditions.ts, as a table: the condition as written, a message,
// whether it holds and words its reason must contain. Each row runs through parseRules and evaluateRules,
// so it checks the phrase's spelling, its quick `holds` path (which decides `matched`) and its verdict
// (which the trace shows) against each other.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUILTIN_CONDITIONS } from '../../src/rules/conditions.js';
import { evaluateRules, parseRules, vocabulary, type MessageView } from '../../src/rules/index.js';
import { context, view, type World } from './helpers.js';

/** [condition as written, message, matches, the reason contains] */
type Row = [string, MessageView, boolean, string];

const WORLD: World = {
  projects: { 2: { live: true, companyId: 1, code: 'ACME' }, 3: { live: true, companyId: 5 } },
};

const tested = new Set<string>();

function verdict(condition: string, message: MessageView, world: World = WORLD) {
  const { ruleSet, errors } = parseRules(`when ${condition} then ignore`);
  assert.deepEqual(errors, [], condition);
  const when = ruleSet.rules[0]!.when!;
  if (when.kind === 'condition') tested.add(when.condition.kind);
  const evaluation = evaluateRules(ruleSet, context(message, world));
  const result = evaluation.trace[0]!.conditions[0]!;
  // The quick scan and the verdict must agree, or the trace would explain a decision that was not taken.
  assert.equal(evaluation.matched !== null, result.matched, `quick scan and verdict disagree on ${condition}`);
  return result;
}

function table(rows: Row[], world?: World): void {
  for (const [condition, message, matches, reason] of rows) {
    test(`${condition} ${matches ? 'holds' : 'does not hold'}${reason ? `: ${reason}` : ''}`, () => {
      const result = verdict(condition, message, world);
      assert.equal(result.matched, matches);
      assert.ok(result.reason.includes(reason), `reason: ${result.reason}`);
    });
  }
}

const ALICE = 'Alice Example <alice@vip.example>';

describe('subject contains', () => {
  table([
    ["subject contains 'URGENT'", view({ subject: 'urgent: disk full' }), true, "subject contains 'URGENT'"],
    ["subject contains 'alpha, beta'", view({ subject: 'Beta release' }), true, "subject contains 'beta'"],
    ["subject contains 'alpha, beta'", view({ subject: 'gamma' }), false, `subject "gamma" contains none of 'alpha', 'beta'`],
  ]);
});

describe('company matched to project', () => {
  table([
    ['company matched to project 2', view({ sender: { companyId: 1 } }), true, "sender's company 1 is the company of project 2"],
    ['company matched to project acme', view({ sender: { companyId: 1 } }), true, "sender's company 1 is the company of project acme"],
    ['company matched to project 3', view({ sender: { companyId: 1 } }), false, "sender's company 1 is not the company of project 3 (company 5)"],
    ['company matched to project ZED', view({ sender: { companyId: 1 } }), false, 'project ZED is unknown'],
  ]);
});

describe('from, to, cc, recipient and body contains', () => {
  const addressed = view({
    from: ALICE,
    to: ['Support <support@help.example>', 'sales@help.example'],
    cc: ['Boss <boss@corp.example>'],
    headers: { 'Delivered-To': 'inbox+acme@mail.example', 'x-original-to': 'alias@lists.example' },
    body: 'Hello,\nthe invoice is attached.\n-- \nAlice',
  });
  table([
    ["from contains 'VIP.EXAMPLE'", addressed, true, "from contains 'VIP.EXAMPLE'"],
    ["from contains 'alice example'", addressed, true, "from contains 'alice example'"],
    ["from contains 'nobody, noreply'", addressed, false, `from "${ALICE}" contains none of 'nobody', 'noreply'`],
    ["to contains 'SALES@'", addressed, true, "to contains 'SALES@'"],
    ["to contains 'support <'", addressed, true, "to contains 'support <'"],
    // Cc and the delivery headers are recipients, not To.
    ["to contains 'boss, inbox+acme'", addressed, false, "contains none of 'boss', 'inbox+acme'"],
    ["cc contains 'Boss'", addressed, true, "cc contains 'Boss'"],
    ["cc contains 'support'", addressed, false, `cc "Boss <boss@corp.example>" contains none of 'support'`],
    ["recipient contains 'support@'", addressed, true, "recipient contains 'support@'"],
    ["recipient contains 'boss@'", addressed, true, "recipient contains 'boss@'"],
    ["recipient contains 'INBOX+ACME'", addressed, true, "recipient contains 'INBOX+ACME'"],
    ["recipient contains 'alias@lists'", addressed, true, "recipient contains 'alias@lists'"],
    ["recipient contains 'alice'", addressed, false, "contains none of 'alice'"],
    ["body contains 'INVOICE'", addressed, true, "body contains 'INVOICE'"],
    ["body contains 'receipt, order'", addressed, false, "contains none of 'receipt', 'order'"],
    ["from contains 'x'", view(), false, `from "" contains none of 'x'`],
  ]);

  test('a long field is quoted in the reason up to 80 characters', () => {
    const result = verdict("body contains 'zzz'", view({ body: 'b'.repeat(500) }));
    assert.equal(result.reason, `body "${'b'.repeat(79)}…" contains none of 'zzz'`);
  });
});

describe('matches: RE2 regular expressions and their flags', () => {
  const message = view({
    subject: 'Re: [ZED-42] Rollout',
    from: ALICE,
    to: ['support@help.example'],
    cc: ['Boss <boss@corp.example>'],
    headers: { 'Delivered-To': 'inbox+acme@mail.example' },
    body: 'first line\nSecond line\nthird',
  });
  const rows: Row[] = [
    ['subject matches /\\[ZED-\\d+\\]/', message, true, 'subject matches /\\[ZED-\\d+\\]/'],
    // Without i a regular expression is case-sensitive, the only case-sensitive thing in the language.
    ['subject matches /rollout/', message, false, 'subject does not match /rollout/'],
    ['subject matches /rollout/i', message, true, 'subject matches /rollout/i'],
    ['subject matches /ROLLOUT$/i', message, true, 'subject matches /ROLLOUT$/i'],
    ['subject matches /^\\[ZED/', message, false, 'subject does not match /^\\[ZED/'],
    ['subject matches /\\[(?<code>[A-Z]+)-(?<n>\\d+)\\]/', message, true, '(code=ZED, n=42)'],
    ['from matches /@vip\\.example>$/', message, true, 'from matches'],
    ['from matches /ALICE/', message, false, 'from does not match /ALICE/'],
    ['to matches /^support@/', message, true, 'to matches'],
    ['cc matches /boss@corp/', message, true, 'cc matches'],
    ['recipient matches /inbox\\+(?<slug>\\w+)@/', message, true, '(slug=acme)'],
    // Addresses are matched as one text, joined with ', ': ^ is the start of the first one.
    ['recipient matches /^inbox\\+/m', message, false, 'recipient does not match'],
    ['recipient matches /^support@/', message, true, 'recipient matches'],
    // m: ^ and $ at every line of the body; without it only at its ends.
    ['body matches /^second line$/im', message, true, 'body matches /^second line$/im'],
    ['body matches /^second line$/i', message, false, 'body does not match /^second line$/i'],
    // s: . also matches a line break.
    ['body matches /line.Second/s', message, true, 'body matches /line.Second/s'],
    ['body matches /line.Second/', message, false, 'body does not match /line.Second/'],
    ['body matches /(?s)line.Second/', message, true, 'body matches'],
    ['body matches /first.*third/is', message, true, 'body matches'],
  ];
  table(rows);

  // A rule set with several expressions on one field matches them in one pass (an RE2 set), a single one
  // on its own: both must give the same answers.
  describe('among other expressions on the same fields', () => {
    const others = ['subject', 'from', 'to', 'cc', 'recipient', 'body'].map((f) => `when ${f} matches /zq[0-9]x/ then ignore`);
    for (const [condition, message, matches] of rows) {
      test(`${condition} ${matches ? 'holds' : 'does not hold'}`, () => {
        const { ruleSet, errors } = parseRules([...others, `when ${condition} then ignore`].join('\n'));
        assert.deepEqual(errors, []);
        const evaluation = evaluateRules(ruleSet, context(message));
        assert.equal(evaluation.matched?.line ?? null, matches ? others.length + 1 : null);
        assert.equal(evaluation.trace.at(-1)!.conditions[0]!.matched, matches);
      });
    }
  });

  test('a rule gives the same answer in every rule set it is part of', () => {
    const { ruleSet } = parseRules(['aaa', 'bbb', 'ccc'].map((w) => `when subject matches /${w}/ then ignore`).join('\n'));
    const [a, b, c] = ruleSet.rules as [typeof ruleSet.rules[0], typeof ruleSet.rules[0], typeof ruleSet.rules[0]];
    const line = (rules: typeof ruleSet.rules, subject: string) => evaluateRules({ rules }, context(view({ subject }))).matched?.line ?? null;
    assert.equal(line([a, b, c], 'ccc'), 3);
    // The same rule objects in another rule set, in another order (as a tester trying some rules would).
    assert.equal(line([c, b], 'ccc'), 3);
    assert.equal(line([c, b], 'bbb'), 2);
    assert.equal(line([b, a], 'aaa'), 1);
  });
});

describe('header contains, matches, exists', () => {
  const message = view({
    headers: {
      'X-Priority': '1 (Highest)',
      Received: ['from a.example by mx', 'from b.example by relay'],
      'List-Id': '<dev.lists.example>',
      'X-Spam-Score': '7.5',
    },
  });
  table([
    ["header 'x-priority' contains 'HIGHEST'", message, true, "header x-priority contains 'HIGHEST'"],
    ["header 'X-PRIORITY' contains 'low, normal'", message, false, `header X-PRIORITY "1 (Highest)" contains none of 'low', 'normal'`],
    // Every value of a repeated header counts.
    ["header 'received' contains 'b.example'", message, true, "contains 'b.example'"],
    ["header 'X-Mailer' contains 'x'", message, false, 'there is no X-Mailer header'],
    ["header 'X-Spam-Score' matches /^[5-9]/", message, true, 'header X-Spam-Score matches /^[5-9]/'],
    ["header 'received' matches /^from b\\./m", message, true, 'matches'],
    ["header 'received' matches /^from b\\./", message, false, 'does not match'],
    ["header 'x-priority' matches /highest/", message, false, 'does not match /highest/'],
    ["header 'x-priority' matches /highest/i", message, true, 'matches /highest/i'],
    ["header 'X-Mailer' matches /./", message, false, 'there is no X-Mailer header'],
    ["header 'list-id' exists", message, true, 'the message has a list-id header'],
    ["header 'LIST-ID' exists", message, true, 'the message has a LIST-ID header'],
    ["header 'List-Unsubscribe' exists", message, false, 'there is no List-Unsubscribe header'],
  ]);
});

describe('attachments', () => {
  const two = view({
    attachments: [
      { name: 'Invoice-2024.PDF', type: 'Application/PDF', size: 1000 },
      { name: 'logo.png', type: 'image/png', size: 10 },
    ],
  });
  const text = view({ attachments: [{ name: 'notes.txt', type: 'text/plain', size: 5 }] });
  table([
    ['has attachment', two, true, 'the message has 2 attachments'],
    ['has attachment', text, true, 'the message has 1 attachment'],
    ['has attachment', view(), false, 'the message has no attachments'],
    ["attachment name contains 'invoice'", two, true, `attachment "Invoice-2024.PDF" contains 'invoice'`],
    ["attachment name contains 'contract, .PNG'", two, true, `attachment "logo.png" contains '.PNG'`],
    ["attachment name contains 'contract'", two, false, `no attachment name ("Invoice-2024.PDF", "logo.png") contains any of 'contract'`],
    ["attachment name contains 'x'", view(), false, 'the message has no attachments'],
    ["attachment type is 'application/pdf, image/*'", two, true, `attachment "Invoice-2024.PDF" is Application/PDF`],
    ["attachment type is 'application/pdf, image/*'", view({ attachments: [{ name: 'a.gif', type: 'image/gif', size: 1 }] }), true, 'is image/gif'],
    ["attachment type is 'application/pdf, image/*'", text, false, "no attachment is 'application/pdf', 'image/*' (text/plain)"],
    // A type is a whole type, and image/* only the image types.
    ["attachment type is 'application/pdfx, text/plai'", text, false, 'no attachment is'],
    ["attachment type is 'image/*'", view({ attachments: [{ name: 'x', type: 'imagex/png', size: 1 }] }), false, 'no attachment is'],
    ["attachment type is 'TEXT/*'", text, true, 'is text/plain'],
    ["attachment type is 'text/plain'", view(), false, 'the message has no attachments'],
  ]);
});

describe('sender is known, unknown, user, requester', () => {
  const staff = view({ sender: { email: 'lead@example.com', is: 'user' } });
  const requester = view({ sender: { email: 'c@client.example', is: 'requester' } });
  const stranger = view({ sender: { email: 'x@nowhere.example', is: 'unknown' } });
  table([
    ['sender is known', staff, true, 'the sender lead@example.com is a staff user'],
    ['sender is known', requester, true, 'the sender c@client.example is a known requester'],
    ['sender is known', stranger, false, 'the sender x@nowhere.example is unknown'],
    ['sender is unknown', stranger, true, 'is unknown'],
    ['sender is unknown', staff, false, 'is a staff user'],
    ['sender is user', staff, true, 'is a staff user'],
    ['sender is user', requester, false, 'is a known requester'],
    ['sender is requester', requester, true, 'is a known requester'],
    ['sender is requester', staff, false, 'is a staff user'],
    ['SENDER IS KNOWN', staff, true, 'a staff user'],
    ['sender is known', view(), false, 'the sender (none) is unknown'],
  ]);
});

describe('sender domain is', () => {
  const from = (email: string | null) => view({ sender: { email } });
  table([
    ["sender domain is 'a.com'", from('x@a.com'), true, "the sender's domain a.com is 'a.com'"],
    ["sender domain is 'A.COM'", from('x@a.com'), true, "is 'A.COM'"],
    ["sender domain is 'a.com'", from('X@A.Com'), true, "the sender's domain a.com is 'a.com'"],
    ["sender domain is 'b.com, a.com'", from('x@a.com'), true, "is 'a.com'"],
    // Exact: a subdomain is another domain unless *. asks for it.
    ["sender domain is 'a.com'", from('x@mail.a.com'), false, "the sender's domain mail.a.com is none of 'a.com'"],
    ["sender domain is 'a.com'", from('x@xa.com'), false, 'is none of'],
    ["sender domain is '*.a.com'", from('x@a.com'), true, "is '*.a.com'"],
    ["sender domain is '*.a.com'", from('x@mail.a.com'), true, "the sender's domain mail.a.com is '*.a.com'"],
    ["sender domain is '*.a.com'", from('x@eu.mail.A.com'), true, "is '*.a.com'"],
    ["sender domain is '*.a.com'", from('x@xa.com'), false, "the sender's domain xa.com is none of '*.a.com'"],
    ["sender domain is '*.a.com'", from('x@a.com.evil.example'), false, 'is none of'],
    ["sender domain is 'a.com'", from(null), false, "the sender's domain (none) is none of 'a.com'"],
  ]);
});

describe('company is', () => {
  const of = (companyName: string | null) => view({ sender: { companyName, companyId: companyName ? 1 : null } });
  table([
    ["company is 'Acme GmbH'", of('Acme GmbH'), true, "the sender's company is 'Acme GmbH'"],
    ["company is 'acme gmbh'", of('ACME GmbH'), true, "is 'ACME GmbH'"],
    ["company is 'Zed, Acme GmbH'", of('Acme GmbH'), true, 'is'],
    // The whole name, not a part of it.
    ["company is 'Acme'", of('Acme GmbH'), false, "the sender's company 'Acme GmbH' is none of 'Acme'"],
    ["company is 'Acme'", of(null), false, "the sender's company (none) is none of 'Acme'"],
  ]);
});

describe('size above and below', () => {
  const sized = (size: number) => view({ size });
  const MB = 1024 * 1024;
  table([
    ['size above 5 MB', sized(5 * MB + 1), true, `the message is ${5 * MB + 1} bytes, above 5 MB`],
    ['size above 5 MB', sized(5 * MB), false, `the message is ${5 * MB} bytes, not above 5 MB`],
    // 1024-based: 5 MB is not 5,000,000 bytes.
    ['size above 5 MB', sized(5_000_001), false, 'not above 5 MB'],
    ['size above 1 KB', sized(1025), true, 'above 1 KB'],
    ['size above 1 kb', sized(1024), false, 'not above 1 KB'],
    ['size above 1 GB', sized(1024 * MB + 1), true, 'above 1 GB'],
    ['size above 1 GB', sized(1024 * MB), false, 'not above 1 GB'],
    ['size above 1.5 KB', sized(1537), true, 'above 1.5 KB'],
    ['size above 1.5 KB', sized(1536), false, 'not above 1.5 KB'],
    ['size above 100 bytes', sized(101), true, 'above 100 bytes'],
    ['size above 5MB', sized(5 * MB + 1), true, 'above 5 MB'],
    ['size below 1 KB', sized(1023), true, 'the message is 1023 bytes, below 1 KB'],
    ['size below 1 KB', sized(1024), false, 'the message is 1024 bytes, not below 1 KB'],
    ['size below 2 mb', sized(2 * MB - 1), true, 'below 2 MB'],
    ['size below 2 MB', sized(2 * MB), false, 'not below 2 MB'],
  ]);
});

describe('regular expressions run in linear time', () => {
  // Issue 10: "/(a+)+$/ on a 100 KB subject evaluates in under 10 ms". That figure is measured and printed
  // by `npm run bench` (timed goals live there; a 10 ms assert would fail on a loaded machine). Here the
  // deadline is 1 s, which only a linear engine can keep: a backtracking one (V8's own RegExp) tries every
  // way to split the a's between the two +, about 2^n for n a's before a character that is not one: some
  // 6 s already for 26 a's and '!', and never finishing for 100,000.
  // 60,000 a's: all of it is read (an expression reads at most 64 KiB of a field; see the test after).
  const A = 'a'.repeat(60_000);
  const DEADLINE_MS = 1000;
  // [condition, message, matches, what the text is]
  const cases: [string, MessageView, boolean, string][] = [
    ['subject matches /(a+)+$/', view({ subject: A }), true, "a subject of 60 KB of a's"],
    ['subject matches /(a+)+$/', view({ subject: `${A}!` }), false, "a subject of 60 KB of a's and '!'"],
    // With a named group the match is run again to read it: the slower path.
    ['subject matches /(?<run>(a+)+)$/', view({ subject: A }), true, "a subject of 60 KB of a's"],
    ['body matches /(a|aa)+$/', view({ body: `${A}!` }), false, "a body of 60 KB of a's and '!'"],
    ["header 'X-Evil' matches /(a*)*b/", view({ headers: { 'X-Evil': A } }), false, "a header of 60 KB of a's"],
    // The issue's own case: 100 KB, of which the expression reads the first 64 KiB.
    ['subject matches /(a+)+$/', view({ subject: `${'a'.repeat(100_000)}!` }), true, "a subject of 100 KB of a's and '!' (read: 64 KiB of a's)"],
    // A large expression reads less, so that no expression costs more than a few milliseconds.
    ['body matches /(?<n>.{1,200})x/', view({ body: `${'1'.repeat(1 << 20)}x` }), false, "a body of 1 MiB ending in x (read: the first 9 KiB)"],
  ];
  for (const [condition, message, matches, what] of cases) {
    test(`${condition} on ${what} within ${DEADLINE_MS} ms`, () => {
      const { ruleSet } = parseRules(`when ${condition} then ignore`);
      // This process's CPU time, not the wall clock: other work on a busy machine does not make it late.
      const started = process.cpuUsage();
      const evaluation = evaluateRules(ruleSet, context(message));
      const reason = evaluation.trace[0]!.reason;
      const used = process.cpuUsage(started);
      const ms = (used.user + used.system) / 1000;
      assert.ok(ms < DEADLINE_MS, `${ms.toFixed(0)} ms of CPU`);
      assert.equal(evaluation.matched !== null, matches, reason);
    });
  }
});

// Runs last (node:test runs a file's tests in order): every kind the rows above were parsed into.
describe('the tables cover the vocabulary', () => {
  test('every built-in condition has rows above', () => {
    const builtIn = [...vocabulary().conditions.values()].filter((d) => d.origin === 'built-in' && d.pattern === d.canonical);
    assert.equal(builtIn.length, BUILTIN_CONDITIONS.length);
    assert.deepEqual(builtIn.map((d) => d.canonical.key).filter((kind) => !tested.has(kind)), []);
  });
});
