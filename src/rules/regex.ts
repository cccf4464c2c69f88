// Regular expressions of `matches` conditions run on RE2 (re2js, a pure-JavaScript port): matching time
// is linear in the text whatever the pattern, because a rule set is admin input and a message is
// attacker input. RE2 has no backreferences or lookaround; a pattern using them is refused at save time
// with the engine's reason.
import { RE2JS, RE2JSException } from 're2js';
import type { RegexValue } from './types.js';

/** The flags a rule may give: i (ignore case), m (^ and $ at every line), s (. matches a newline). */
export const REGEX_FLAGS = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL } as const;

export type CompiledRegex =
  | {
      ok: true;
      pattern: RE2JS;
      groups: string[];
      /** A literal every match starts with (case-sensitive patterns only): a text without it cannot match. */
      prefix: string;
      /** How much of a text this expression reads (see textLimit). */
      limit: number;
    }
  | { ok: false; message: string };

const cache = new Map<string, CompiledRegex>();
const byValue = new WeakMap<RegexValue, CompiledRegex>();

/**
 * Compiles once per distinct pattern and flags (rules are parsed for every keystroke in the editor),
 * and finds a parsed clause's expression without building a key (it is evaluated per message).
 */
export function compileRegex(value: RegexValue): CompiledRegex {
  let compiled = byValue.get(value);
  if (compiled) return compiled;
  const key = `${value.flags}/${value.source}`;
  compiled = cache.get(key);
  if (!compiled) {
    compiled = compile(value);
    if (cache.size > 2000) cache.clear();
    cache.set(key, compiled);
  }
  byValue.set(value, compiled);
  return compiled;
}

function compile({ source, flags }: RegexValue): CompiledRegex {
  let bits = 0;
  for (const flag of flags) {
    const bit = REGEX_FLAGS[flag as keyof typeof REGEX_FLAGS];
    if (bit === undefined) return { ok: false, message: `unknown flag '${flag}': the flags are i, m and s` };
    bits |= bit;
  }
  if (source === '') return { ok: false, message: 'empty regular expression: it would match every message' };
  try {
    const pattern = RE2JS.compile(source, bits);
    const size = pattern.programSize();
    if (size > MAX_PROGRAM) {
      return { ok: false, message: `the expression is too complex for mail (${size} RE2 instructions; at most ${MAX_PROGRAM}): split it, or bound its repeats` };
    }
    // RE2 computes this literal prefix for its own search; a plain includes() is cheaper still than a
    // DFA pass over a long body.
    const prefix: unknown = pattern.re2().prefix;
    return { ok: true, pattern, groups: Object.keys(pattern.namedGroups()), prefix: typeof prefix === 'string' ? prefix : '', limit: textLimit(size) };
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    return { ok: false, message: `invalid regular expression: ${engineReason(error.message)}` };
  }
}

// re2js says "error parsing regexp: missing closing ): `(a`"; the rule error already shows where.
function engineReason(message: string): string {
  return message.replace(/^error parsing regexp: /, '');
}

/**
 * RE2 is linear in the text, but where its fast engine gives up (and always to read captures) the cost is
 * the expression's size times the text's length. A message is attacker input, so each expression reads at
 * most STEP_BUDGET / size characters of a field: all of 64 KiB for ordinary expressions, down to 4 KiB for
 * the largest allowed. Each expression thus costs a bounded few milliseconds, whatever the mail.
 */
export const MAX_PROGRAM = 1000;
export const MAX_REGEX_TEXT = 64 * 1024;
const MIN_REGEX_TEXT = 4 * 1024;
const STEP_BUDGET = 4_000_000;
function textLimit(size: number): number {
  return Math.max(MIN_REGEX_TEXT, Math.min(MAX_REGEX_TEXT, Math.floor(STEP_BUDGET / Math.max(1, size))));
}
/** Texts up to this length are read whole by every expression, so one set can match them all at once. */
export const SET_TEXT = MIN_REGEX_TEXT;

/** The same pattern with its flags inline, for a set of patterns matched in one pass. */
export function inlinePattern({ source, flags }: RegexValue): string {
  return flags ? `(?${[...new Set(flags)].join('')})(?:${source})` : source;
}
