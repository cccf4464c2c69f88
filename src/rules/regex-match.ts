// Running `matches` conditions. A rule set may hold hundreds of expressions on the subject: they are
// matched in one pass per message and text (an RE2 set), and an expression is run on its own only to read
// its named captures once it matched.
import { RE2Set } from 're2js';
import type { EvalScope, Verdict } from './language.js';
import { compileRegex, inlinePattern, SET_TEXT } from './regex.js';
import type { Expr, RegexValue, RuleSet } from './types.js';

interface PatternSet {
  set: RE2Set | null;
  index: Map<string, number>;
  /**
   * A parsed clause's place in `index`, found without building its key. Kept per set: the same rule (and
   * its RegexValue) may be evaluated in several rule sets, where its place differs.
   */
  positions: WeakMap<RegexValue, number | undefined>;
  /** Per message, the set's matches are kept under this key. */
  memoKey: object;
}

const sets = new WeakMap<RuleSet, Map<string, PatternSet>>();

const keyOf = (r: RegexValue) => `${r.flags}/${r.source}`;

/** Every regex of the rule set used on `what` (a field name), gathered once per rule set. */
function patternSet(ruleSet: RuleSet, what: string): PatternSet {
  let byField = sets.get(ruleSet);
  if (!byField) sets.set(ruleSet, (byField = new Map()));
  else if (byField === lastByField && what === lastWhat) return lastSet!;
  let found = byField.get(what);
  if (found) return remember(byField, what, found);
  const index = new Map<string, number>();
  const regexes: RegexValue[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === 'and' || e.kind === 'or') e.items.forEach(visit);
    else if (e.kind === 'not') visit(e.item);
    else if (e.condition.kind === `${what} matches {regex}`) {
      const r = e.condition.args[0] as RegexValue;
      if (!index.has(keyOf(r)) && compileRegex(r).ok) {
        index.set(keyOf(r), regexes.length);
        regexes.push(r);
      }
    }
  };
  for (const rule of ruleSet.rules) if (rule.when) visit(rule.when);
  let set: RE2Set | null = null;
  // One expression gains nothing from a set; a set that cannot be built (memory) falls back to one by one.
  if (regexes.length > 1) {
    try {
      set = new RE2Set(RE2Set.UNANCHORED, 0);
      for (const r of regexes) set.add(inlinePattern(r));
      set.compile();
    } catch {
      set = null;
    }
  }
  found = { set, index, positions: new WeakMap(), memoKey: {} };
  byField.set(what, found);
  return remember(byField, what, found);
}

// The last set asked for: consecutive clauses mostly ask for the same one.
let lastByField: Map<string, PatternSet> | undefined;
let lastWhat: string | undefined;
let lastSet: PatternSet | undefined;
function remember(byField: Map<string, PatternSet>, what: string, set: PatternSet): PatternSet {
  lastByField = byField;
  lastWhat = what;
  lastSet = set;
  return set;
}

function indexOf(shared: PatternSet, regex: RegexValue): number | undefined {
  if (shared.positions.has(regex)) return shared.positions.get(regex);
  const at = shared.index.get(keyOf(regex));
  shared.positions.set(regex, at);
  return at;
}

/** Whether `what matches /regex/` holds on `text`, as regexVerdict says, without its verdict. */
export function regexHolds(what: string, text: string, regex: RegexValue, scope: EvalScope): boolean {
  const compiled = compileRegex(regex);
  if (!compiled.ok) return false;
  if (text.length > compiled.limit) text = text.slice(0, compiled.limit);
  if (compiled.prefix && !text.includes(compiled.prefix)) return false;
  const shared = text.length <= SET_TEXT ? patternSet(scope.ruleSet, what) : null;
  const at = shared?.set ? indexOf(shared, regex) : undefined;
  if (!shared?.set || at === undefined) return compiled.pattern.test(text);
  let hits = scope.memo.get(shared.memoKey) as Set<number> | undefined;
  if (!hits) scope.memo.set(shared.memoKey, (hits = new Set(shared.set.match(text))));
  return hits.has(at);
}

/** The verdict of `what matches /regex/` on `text`; `useSet: false` for texts that differ per clause (headers). */
export function regexVerdict(what: string, text: string, regex: RegexValue, scope: EvalScope, useSet = true): Verdict {
  const compiled = compileRegex(regex);
  // Rules are checked when parsed; a stored rule that no longer compiles simply does not match.
  if (!compiled.ok) return { matched: false, reason: `/${regex.source}/${regex.flags} cannot run: ${compiled.message}` };
  let matched: boolean;
  // Each expression reads its share of a long text (regex.ts); a set is used only on texts every
  // expression reads whole, so both ways always see the same text.
  if (text.length > compiled.limit) text = text.slice(0, compiled.limit);
  const shared = useSet && text.length <= SET_TEXT ? patternSet(scope.ruleSet, what) : null;
  if (compiled.prefix && !text.includes(compiled.prefix)) return { matched: false, reason: () => `${what} does not match /${regex.source}/${regex.flags}` };
  const at = shared?.set ? indexOf(shared, regex) : undefined;
  if (shared?.set && at !== undefined) {
    let hits = scope.memo.get(shared.memoKey) as Set<number> | undefined;
    if (!hits) scope.memo.set(shared.memoKey, (hits = new Set(shared.set.match(text))));
    matched = hits.has(at);
  } else {
    matched = compiled.pattern.test(text);
  }
  const written = `/${regex.source}/${regex.flags}`;
  if (!matched) return { matched, reason: () => `${what} does not match ${written}` };
  if (!compiled.groups.length) return { matched, reason: () => `${what} matches ${written}` };
  let found: Record<string, string> | undefined;
  const captures = (): Record<string, string> => {
    if (found) return found;
    // No prototype: a group named `constructor` or `toString` is a capture like any other.
    found = Object.create(null) as Record<string, string>;
    const m = compiled.pattern.matcher(text);
    if (m.find()) {
      for (const name of compiled.groups) {
        const value = m.group(name);
        if (value !== null && value !== undefined) found[name] = value;
      }
    }
    return found;
  };
  return {
    matched,
    captures,
    reason: () => {
      const shown = Object.entries(captures()).map(([k, v]) => `${k}=${v}`).join(', ');
      return `${what} matches ${written}${shown ? ` (${shown})` : ''}`;
    },
  };
}
