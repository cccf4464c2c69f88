// Every built-in condition, one entry each: how it is written and what it tests. Matching is
// case-insensitive except for a regular expression without the i flag.
import { fold } from './fold.js';
import type { ConditionDefinition, EvalScope, Verdict } from './language.js';
import { regexHolds, regexVerdict } from './regex-match.js';
import type { ArgValue, EvalContext, MessageView, RegexValue, SizeValue } from './types.js';

/** The text fields `X contains` and `X matches` look at. */
const TEXT_FIELDS = {
  subject: (m: MessageView) => m.subject,
  from: (m: MessageView) => m.from,
  to: (m: MessageView) => m.to.join(', '),
  cc: (m: MessageView) => m.cc.join(', '),
  recipient: (m: MessageView) => m.recipients.join(', '),
  body: (m: MessageView) => m.body,
} as const;
export type TextField = keyof typeof TEXT_FIELDS;

/**
 * The text a field's conditions read. The subject is matched with CR and LF turned into spaces, as
 * TargetProcess did; a body is read up to its first MiB, so a huge mail costs no more than that.
 */
export function fieldText(field: TextField, message: MessageView): string {
  const text = TEXT_FIELDS[field](message);
  if (field === 'subject') return text.replace(/[\r\n]/g, ' ');
  return text.length > MAX_SCANNED ? text.slice(0, MAX_SCANNED) : text;
}
export const MAX_SCANNED = 1 << 20;

const quoted = (list: readonly string[]) => list.map((k) => `'${k}'`).join(', ');

/** Memo keys, one object per field: cheaper to look up than a string built per call. */
const FOLDED = Object.fromEntries(Object.keys(TEXT_FIELDS).map((f) => [f, { folded: f }])) as Record<TextField, object>;
const PLAIN = Object.fromEntries(Object.keys(TEXT_FIELDS).map((f) => [f, { text: f }])) as Record<TextField, object>;

/** fieldText, once per message. */
function text(field: TextField, ctx: EvalContext, scope: EvalScope): string {
  let value = scope.memo.get(PLAIN[field]) as string | undefined;
  if (value === undefined) scope.memo.set(PLAIN[field], (value = fieldText(field, ctx.message)));
  return value;
}

/** Folded once per message and field: a rule set tests the same subject hundreds of times. */
function folded(field: TextField, ctx: EvalContext, scope: EvalScope): string {
  const key = FOLDED[field];
  let value = scope.memo.get(key) as string | undefined;
  if (value === undefined) scope.memo.set(key, (value = fold(text(field, ctx, scope))));
  return value;
}

/** Keywords folded once per parsed clause: a rule set is evaluated for many messages. */
const foldedKeywords = new WeakMap<readonly string[], string[]>();
function foldAll(keywords: readonly string[]): string[] {
  let folded = foldedKeywords.get(keywords);
  if (!folded) foldedKeywords.set(keywords, (folded = keywords.map(fold)));
  return folded;
}

function containsVerdict(what: string, text: () => string, haystack: string, keywords: readonly string[]): Verdict {
  // A plain substring, not a whole word: 'tp' matches "output", as in TargetProcess.
  const folded = foldAll(keywords);
  const at = folded.findIndex((k) => haystack.includes(k));
  const hit = at === -1 ? undefined : keywords[at];
  return hit !== undefined
    ? { matched: true, reason: () => `${what} contains '${hit}'` }
    : { matched: false, reason: () => `${what} ${describeValue(text())} contains none of ${quoted(keywords)}` };
}

function describeValue(text: string): string {
  return text.length > 80 ? `"${text.slice(0, 79)}…"` : `"${text}"`;
}

function textContains(field: TextField): ConditionDefinition {
  return {
    pattern: `${field} contains {keywords}`,
    help: `the ${field === 'recipient' ? 'To, Cc, Delivered-To or X-Original-To' : field} contains any of the keywords`,
    test: ([keywords], ctx, scope) =>
      containsVerdict(field, () => fieldText(field, ctx.message), folded(field, ctx, scope), keywords as string[]),
    holds([keywords]) {
      const list = foldAll(keywords as string[]);
      return (ctx, scope) => {
        const haystack = folded(field, ctx, scope);
        for (const k of list) if (haystack.includes(k)) return true;
        return false;
      };
    },
  };
}

function textMatches(field: TextField): ConditionDefinition {
  return {
    pattern: `${field} matches {regex}`,
    help: `the ${field} matches the regular expression (RE2 syntax; flags i, m, s)`,
    test: ([regex], ctx, scope) => regexVerdict(field, text(field, ctx, scope), regex as RegexValue, scope),
    holds: ([regex]) => (ctx, scope) => regexHolds(field, text(field, ctx, scope), regex as RegexValue, scope),
  };
}

function headerValues(ctx: EvalContext, name: string): string[] {
  return ctx.message.header(name);
}

/** A header's values as one text, capped like a body, and folded: once per message and header name. */
function headerText(ctx: EvalContext, scope: EvalScope, name: string): { text: string; folded: string } | null {
  const key = `header:${name.toLowerCase()}`;
  let found = scope.memo.get(key) as { text: string; folded: string } | null | undefined;
  if (found === undefined) {
    const values = headerValues(ctx, name);
    let text = values.join('\n');
    if (text.length > MAX_SCANNED) text = text.slice(0, MAX_SCANNED);
    found = values.length ? { text, folded: fold(text) } : null;
    scope.memo.set(key, found);
  }
  return found;
}

const units = { bytes: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 } as const;
export const SIZE_UNITS = units;
const sizeText = (s: SizeValue) => `${s.amount} ${s.unit}`;

function domainMatches(domain: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return domain === p.slice(2) || domain.endsWith(p.slice(1));
  return domain === p;
}

function typeMatches(type: string, pattern: string): boolean {
  const t = type.toLowerCase();
  const p = pattern.toLowerCase();
  return p.endsWith('/*') ? t.startsWith(p.slice(0, -1)) : t === p;
}

export const BUILTIN_CONDITIONS: readonly ConditionDefinition[] = [
  // TargetProcess's two conditions, first.
  textContains('subject'),
  {
    pattern: 'company matched to project {project}',
    help: "the sender's company (by requester, or by email domain for a new sender) is the project's company",
    test([ref], ctx) {
      const fail = (reason: string): Verdict => ({ matched: false, reason });
      const id = 'id' in (ref as object) ? (ref as { id: number }).id : null;
      const project = id !== null ? ctx.project(id) : ctx.projectByCode((ref as { code: string }).code);
      const name = id !== null ? `project ${id}` : `project ${(ref as { code: string }).code}`;
      // Checked in TargetProcess's order: the project first, then the sender.
      if (!project) return fail(`${name} is unknown`);
      if (!project.live) return fail(`${name} is deleted`);
      if (project.companyId === null) return fail(`${name} has no company`);
      const sender = ctx.message.sender.companyId;
      if (sender === null) return fail(`sender's company (none) is not the company of ${name}`);
      if (sender !== project.companyId) {
        return fail(`sender's company ${sender} is not the company of ${name} (company ${project.companyId})`);
      }
      return { matched: true, reason: `sender's company ${sender} is the company of ${name}` };
    },
  },
  textContains('from'),
  textContains('to'),
  textContains('cc'),
  textContains('recipient'),
  textContains('body'),
  textMatches('subject'),
  textMatches('from'),
  textMatches('to'),
  textMatches('cc'),
  textMatches('recipient'),
  textMatches('body'),
  {
    pattern: 'header {text:header name} contains {keywords}',
    help: 'a header with that name contains any of the keywords',
    test([name, keywords], ctx, scope) {
      const header = headerText(ctx, scope, name as string);
      if (!header) return { matched: false, reason: `there is no ${name} header` };
      return containsVerdict(`header ${name}`, () => header.text.replace(/\n/g, ' | '), header.folded, keywords as string[]);
    },
    holds([name, keywords]) {
      const list = foldAll(keywords as string[]);
      return (ctx, scope) => {
        const header = headerText(ctx, scope, name as string);
        return header !== null && list.some((k) => header.folded.includes(k));
      };
    },
  },
  {
    pattern: 'header {text:header name} matches {regex}',
    help: 'a header with that name matches the regular expression',
    test([name, regex], ctx, scope) {
      const header = headerText(ctx, scope, name as string);
      if (!header) return { matched: false, reason: `there is no ${name} header` };
      return regexVerdict(`header ${name}`, header.text, regex as RegexValue, scope, false);
    },
  },
  {
    pattern: 'header {text:header name} exists',
    help: 'the message has a header with that name',
    test([name], ctx) {
      const n = headerValues(ctx, name as string).length;
      return n ? { matched: true, reason: `the message has a ${name} header` } : { matched: false, reason: `there is no ${name} header` };
    },
  },
  {
    pattern: 'has attachment',
    help: 'the message has at least one attachment (inline images count)',
    test(_args, ctx) {
      const n = ctx.message.attachments.length;
      return n ? { matched: true, reason: `the message has ${n} attachment${n === 1 ? '' : 's'}` } : { matched: false, reason: 'the message has no attachments' };
    },
  },
  {
    pattern: 'attachment name contains {keywords}',
    help: "an attachment's file name contains any of the keywords",
    test([keywords], ctx) {
      const names = ctx.message.attachments.map((a) => a.name);
      const list = foldAll(keywords as string[]);
      for (const name of names) {
        const folded = fold(name);
        const at = list.findIndex((k) => folded.includes(k));
        if (at !== -1) return { matched: true, reason: `attachment "${name}" contains '${(keywords as string[])[at]}'` };
      }
      return { matched: false, reason: () => (names.length ? `no attachment name (${names.map((n) => `"${n}"`).join(', ')}) contains any of ${quoted(keywords as string[])}` : 'the message has no attachments') };
    },
  },
  {
    pattern: 'attachment type is {keywords:type list}',
    help: "an attachment's type is one of the types; image/* stands for every image type",
    test([patterns], ctx) {
      for (const a of ctx.message.attachments) {
        const hit = (patterns as string[]).find((p) => typeMatches(a.type, p));
        if (hit !== undefined) return { matched: true, reason: `attachment "${a.name}" is ${a.type}` };
      }
      const types = [...new Set(ctx.message.attachments.map((a) => a.type))];
      return { matched: false, reason: types.length ? `no attachment is ${quoted(patterns as string[])} (${types.join(', ')})` : 'the message has no attachments' };
    },
  },
  {
    pattern: 'sender is {known|unknown|user|requester}',
    help: 'known: a staff user or a requester already on file; unknown: neither; user: staff; requester: a requester on file',
    test([who], ctx) {
      const is = ctx.message.sender.is;
      const matched = who === 'known' ? is !== 'unknown' : who === is;
      const described = is === 'user' ? 'a staff user' : is === 'requester' ? 'a known requester' : 'unknown';
      return { matched, reason: `the sender ${ctx.message.sender.email ?? '(none)'} is ${described}` };
    },
  },
  {
    pattern: 'sender domain is {keywords:domain list}',
    help: "the sender's domain is one of the domains; *.example.com also takes example.com's subdomains",
    test([domains], ctx) {
      const email = ctx.message.sender.email;
      const domain = email?.slice(email.lastIndexOf('@') + 1).toLowerCase() ?? '';
      const hit = (domains as string[]).find((d) => domain !== '' && domainMatches(domain, d));
      return hit !== undefined
        ? { matched: true, reason: `the sender's domain ${domain} is '${hit}'` }
        : { matched: false, reason: `the sender's domain ${domain || '(none)'} is none of ${quoted(domains as string[])}` };
    },
  },
  {
    pattern: 'company is {keywords:company names}',
    help: "the sender's company (by requester, or by email domain for a new sender) has one of the names",
    test([names], ctx) {
      const company = ctx.message.sender.companyName;
      const hit = company === null ? undefined : (names as string[]).find((n) => fold(n) === fold(company));
      return hit !== undefined
        ? { matched: true, reason: `the sender's company is '${company}'` }
        : { matched: false, reason: `the sender's company ${company === null ? '(none)' : `'${company}'`} is none of ${quoted(names as string[])}` };
    },
  },
  {
    pattern: 'size above {size}',
    help: 'the raw message is larger than the size (KB, MB and GB are 1024-based)',
    test([size], ctx) {
      const s = size as SizeValue;
      const matched = ctx.message.size > s.bytes;
      return { matched, reason: `the message is ${ctx.message.size} bytes, ${matched ? 'above' : 'not above'} ${sizeText(s)}` };
    },
  },
  {
    pattern: 'size below {size}',
    help: 'the raw message is smaller than the size',
    test([size], ctx) {
      const s = size as SizeValue;
      const matched = ctx.message.size < s.bytes;
      return { matched, reason: `the message is ${ctx.message.size} bytes, ${matched ? 'below' : 'not below'} ${sizeText(s)}` };
    },
  },
];

export type { ArgValue };
