// Property test of the formatter and the parser over generated rule sets (issue 10: "format → parse →
// format is stable"). A small seeded generator builds rule sets from the vocabulary itself (every condition
// and action phrase, built-in or plugin, with random but valid slot values: quotes, backslashes, braces,
// non-ASCII in strings, regular expressions with named groups, codes, captures, sizes), random not/and/or
// nesting and actions in the places the grammar allows. For each case:
//   - the canonical text parses without errors to the same rules, and formats to itself;
//   - a sloppy spelling of the same rules (any case, TargetProcess's optional 'and' left out, redundant
//     parentheses, extra blanks, leading zeros, '5MB') parses to the same rules and formats to that text.
// No property-testing library: a seeded PRNG is enough, and a failure names its seed.
// MAILBIND_ROUNDTRIP_SEED=n runs that one case; MAILBIND_ROUNDTRIP_CASES=n changes how many run.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_ID, formatRules, parseRules, vocabulary, type ActionDefinition, type ArgValue, type Expr, type ItemKind, type MessageView, type RuleSet } from '../../src/rules/index.js';
import type { Defined } from '../../src/rules/language.js';
import type { Part, Slot } from '../../src/rules/pattern.js';
import { compileRegex } from '../../src/rules/regex.js';
import { view } from './helpers.js';
import { prng } from '../support/prng.js';

const CASES = Number(process.env.MAILBIND_ROUNDTRIP_CASES ?? 3000);
const ONLY_SEED = process.env.MAILBIND_ROUNDTRIP_SEED;

// ---- drawing from a seeded PRNG ----

class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

// ---- slot values: each with its value (what parsing must give) and a way to write it ----

interface Written {
  value: ArgValue;
  /** A spelling of the value in rule text, not necessarily the canonical one. */
  written: string;
}

/** A piece of a quoted string: how it is written and the character(s) it stands for. */
type Piece = [written: string, value: string];

const PLAIN = [...'abcxyzABCXYZ0123456789 .,;:-_/()#"@!?*+[]$^|~`<>=&%éÄß日😀'];
function piece(r: Random, inAction: boolean, captures: readonly string[]): Piece {
  const roll = r.int(20);
  if (roll === 0) return ["\\'", "'"]; // the one escape
  if (roll === 1) return ['\\\\', '\\\\']; // a backslash pair stays two characters
  if (roll === 2) {
    const other = `\\${r.pick(['n', 't', 'x', 'd', '.', '{'])}`; // any other backslash pair too
    return inAction && other.endsWith('{') ? ['\\{', '\\{'] : [other, other];
  }
  if (roll === 3) {
    // In an action {name} is a capture; a brace is written \{. Elsewhere braces are plain characters.
    if (inAction) {
      if (!captures.length) return ['}', '}'];
      const capture = `{${r.pick(captures)}}`;
      return [capture, capture];
    }
    const brace = r.pick(['{', '}', '{x}']);
    return [brace, brace];
  }
  const c = r.pick(PLAIN);
  return [c, c];
}

function pieces(r: Random, count: number, inAction: boolean, captures: readonly string[]): Piece[] {
  return Array.from({ length: count }, () => piece(r, inAction, captures));
}

function genText(r: Random, inAction: boolean, captures: readonly string[]): Written {
  for (;;) {
    const ps = pieces(r, 1 + r.int(12), inAction, captures);
    const value = ps.map((p) => p[1]).join('');
    if (value.trim() === '') continue;
    return { value, written: `'${ps.map((p) => p[0]).join('')}'` };
  }
}

function genKeywords(r: Random): Written {
  const values: string[] = [];
  const written: string[] = [];
  const n = 1 + r.int(3);
  while (values.length < n) {
    // No comma inside a keyword: the list is split on every comma.
    const ps = pieces(r, 1 + r.int(8), false, []).filter((p) => !p[0].includes(','));
    let value = ps.map((p) => p[1]).join('');
    let w = ps.map((p) => p[0]).join('');
    // TargetProcess's quirk: 'a\,b' is the keyword a\ and b, so a keyword may end in one backslash.
    if (r.chance(0.05)) {
      value += '\\';
      w += '\\';
    }
    value = value.trim();
    if (value === '' || value === '\\') continue;
    values.push(value);
    written.push(`${r.chance(0.3) ? '  ' : ''}${w}${r.chance(0.3) ? ' ' : ''}`);
  }
  // Joined by commas with or without blanks; a keyword ending in a backslash needs a comma after it.
  let text = written.map((w, i) => (i === 0 ? w : `,${r.chance(0.5) ? ' ' : ''}${w}`)).join('');
  if (values[values.length - 1]!.endsWith('\\') || r.chance(0.1)) text += ',';
  return { value: values, written: `'${text}'` };
}

const NAMES = ['code', 'n', 'id', 'who', 'x_1', 'Proj', 'tag'];

function genRegex(r: Random, captures: string[]): Written {
  for (let attempt = 0; ; attempt++) {
    const groups = new Set<string>();
    const atom = (depth: number): string => {
      const roll = r.int(14);
      if (depth < 2 && roll === 0) {
        const name = r.pick(NAMES.filter((n) => !groups.has(n)).concat(['g']));
        if (groups.has(name)) return 'g';
        groups.add(name);
        return `(?<${name}>${alternation(depth + 1)})`;
      }
      if (depth < 2 && roll === 1) return `(${alternation(depth + 1)})`;
      if (depth < 2 && roll === 2) return `(?:${alternation(depth + 1)})`;
      if (roll === 3) return r.pick(['[a-z]', '[/x]', '[^ab]', '[0-9_]', '[\\]a]']);
      if (roll === 4) return r.pick(['\\d', '\\w', '\\s', '\\.', '\\/', '\\[', '\\(', '\\\\', '\\{', '.']);
      return r.pick([...'abcXYZ019 \'"é#-,!@'.split(''), '日']);
    };
    const sequence = (depth: number): string => {
      let out = r.chance(0.1) ? '^' : '';
      const n = 1 + r.int(4);
      for (let i = 0; i < n; i++) out += atom(depth) + (r.chance(0.25) ? r.pick(['*', '+', '?', '{1,3}', '*?', '{2}']) : '');
      return out + (r.chance(0.1) ? '$' : '');
    };
    const alternation = (depth: number): string => (r.chance(0.2) ? `${sequence(depth)}|${sequence(depth)}` : sequence(depth));
    const source = alternation(0);
    const flags = ['i', 'm', 's'].filter(() => r.chance(0.3));
    if (r.chance(0.5)) flags.reverse();
    const value = { source, flags: flags.join('') };
    if (!compileRegex(value).ok) {
      assert.ok(attempt < 50, `the generator keeps making regular expressions RE2 refuses, e.g. ${source}`);
      continue;
    }
    captures.push(...groups);
    return { value, written: `/${source}/${value.flags}` };
  }
}

const NOT_A_CODE = ['and', 'or', 'then', 'with', 'not', 'when'];
function genCode(r: Random): string {
  for (;;) {
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    let code = r.pick([...letters]);
    const length = 1 + r.int(r.chance(0.1) ? 19 : 6);
    for (let i = 0; i < length; i++) code += r.pick([...`${letters}0123456789_`]);
    if (!NOT_A_CODE.includes(code.toLowerCase())) return code;
  }
}

function genId(r: Random): { id: number; written: string } {
  const id = r.chance(0.05) ? r.pick([0, MAX_ID]) : r.int(r.chance(0.5) ? 100 : MAX_ID);
  return { id, written: `${r.chance(0.1) ? '00' : ''}${id}` };
}

const UNITS = { bytes: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 } as const;

function genSlot(r: Random, slot: Slot, inAction: boolean, captures: string[], key: string): Written {
  switch (slot.type) {
    case 'keywords':
      return genKeywords(r);
    case 'text':
      // `set state` takes only the five states, in any case and with spaces or a dash.
      if (key === 'set state {text}') {
        const state = r.pick(['New', 'open', 'In Progress', 'in-progress', 'DONE', ' closed ', 'in   progress']);
        return { value: state, written: `'${state}'` };
      }
      return genText(r, inAction, captures);
    case 'regex':
      return genRegex(r, captures);
    case 'project': {
      const roll = r.int(10);
      if (inAction && captures.length && roll < 3) {
        const name = r.pick(captures);
        return { value: { capture: name }, written: `{${name}}` };
      }
      if (roll < 6) {
        const code = genCode(r);
        return { value: { code }, written: code };
      }
      const { id, written } = genId(r);
      return { value: { id }, written };
    }
    case 'team': {
      const { id, written } = genId(r);
      return { value: id, written };
    }
    case 'number': {
      const whole = r.int(1000);
      const written = r.chance(0.3) ? `${whole}.${1 + r.int(99)}` : String(whole);
      return { value: Number(written), written };
    }
    case 'size': {
      const amountText = r.chance(0.3) ? `${r.int(100)}.${r.pick(['5', '25', '50', '1'])}` : String(r.int(10_000));
      const unit = r.pick(Object.keys(UNITS) as (keyof typeof UNITS)[]);
      const amount = Number(amountText);
      return {
        value: { amount, unit, bytes: Math.round(amount * UNITS[unit]) },
        written: `${amountText}${r.chance(0.2) ? '' : ' '}${anyCase(r, unit)}`,
      };
    }
    case 'choice': {
      const option = r.pick(slot.options);
      return { value: option, written: anyCase(r, option) };
    }
  }
}

function anyCase(r: Random, word: string): string {
  const roll = r.int(4);
  if (roll === 0) return word.toUpperCase();
  if (roll === 1) return [...word].map((c) => (r.chance(0.5) ? c.toUpperCase() : c)).join('');
  return word;
}

// ---- clauses, expressions, rules ----

/** A clause as generated: its kind and values, and its words and slots as the sloppy writer spells them. */
interface GenClause {
  kind: string;
  args: ArgValue[];
  parts: Array<{ words: readonly string[] } | { slot: string }>;
}

function genClause(r: Random, d: Defined<unknown>, inAction: boolean, captures: string[]): GenClause {
  for (;;) {
    const values: (Written | null)[] = [];
    const before = captures.length;
    for (const part of d.canonical.parts as Part[]) {
      if ('words' in part) continue;
      values.push('optional' in part && r.chance(0.5) ? null : genSlot(r, part.slot, inAction, captures, d.canonical.key));
    }
    const args = values.map((v) => (v ? v.value : null));
    const check = (d.definition as { check?: (a: readonly ArgValue[]) => string | undefined }).check;
    if (check?.(args)) {
      captures.length = before;
      continue;
    }
    // Any spelling of the phrase (`create private request` for `create request`): the slots come in the same order.
    const all = [...vocabulary().conditions.values(), ...vocabulary().actions.values()];
    const spelling = r.pick(all.filter((e) => e.canonical === d.canonical)).pattern;
    const parts: GenClause['parts'] = [];
    let i = 0;
    for (const part of spelling.parts as Part[]) {
      if ('words' in part) parts.push({ words: part.words });
      else {
        const v = values[i++];
        if (!v) continue;
        if ('optional' in part) parts.push({ words: part.optional });
        parts.push({ slot: v.written });
      }
    }
    return { kind: d.canonical.key, args, parts };
  }
}

type GenExpr =
  | { kind: 'condition'; clause: GenClause }
  | { kind: 'not'; item: GenExpr }
  | { kind: 'and' | 'or'; items: GenExpr[] };

function genExpr(r: Random, depth: number, captures: string[], used: Set<string>): GenExpr {
  const roll = depth >= 3 ? 9 : r.int(10);
  if (roll < 2) return { kind: 'not', item: genExpr(r, depth + 1, captures, used) };
  if (roll < 5) {
    const items = Array.from({ length: 2 + r.int(2) }, () => genExpr(r, depth + 1, captures, used));
    return { kind: roll < 4 ? 'and' : 'or', items };
  }
  const conditions = [...vocabulary().conditions.values()].filter((d) => d.pattern === d.canonical);
  const d = r.pick(conditions);
  used.add(d.canonical.key);
  return { kind: 'condition', clause: genClause(r, d, false, captures) };
}

const TEAM_KEY = 'attach request to team {team}';
const NO_MESSAGE: MessageView = view();

/** The item a create action makes, as the parser asks it. */
function createdKind(d: Defined<ActionDefinition>, args: ArgValue[]): ItemKind | null {
  if (d.definition.role !== 'create') return null;
  const step = d.definition.steps(args, NO_MESSAGE).find((s) => s.do === 'create');
  return step?.do === 'create' ? step.item : null;
}

function genActions(r: Random, captures: string[], used: Set<string>): GenClause[] {
  const all = [...vocabulary().actions.values()].filter((d) => d.pattern === d.canonical);
  const alone = all.filter((d) => d.definition.role === 'alone');
  if (alone.length && r.chance(0.12)) {
    const d = r.pick(alone);
    used.add(d.canonical.key);
    return [genClause(r, d, true, captures)];
  }
  const actions: GenClause[] = [];
  let lastCreated: ItemKind | null = null; // the kind of the last create, for modifiers
  let justCreated: ItemKind | null = null; // the kind of a create right before, for the team
  const n = 1 + r.int(5);
  while (actions.length < n) {
    const d = r.pick(all);
    const role = d.definition.role;
    if (role === 'alone') continue;
    if (d.canonical.key === TEAM_KEY) {
      if (justCreated !== 'request') continue;
    } else if (role === 'modifier') {
      if (lastCreated === null || (d.definition.onlyFor && !d.definition.onlyFor.includes(lastCreated))) continue;
    }
    const clause = genClause(r, d, true, captures);
    used.add(d.canonical.key);
    actions.push(clause);
    const kind = createdKind(d, clause.args);
    if (kind) lastCreated = kind;
    justCreated = d.canonical.key === TEAM_KEY ? null : kind;
  }
  return actions;
}

interface GenRule {
  when: GenExpr | null;
  actions: GenClause[];
}

function genRuleSet(r: Random, used: Set<string>): GenRule[] {
  return Array.from({ length: 1 + r.int(4) }, () => {
    const captures: string[] = [];
    const when = r.chance(0.15) ? null : genExpr(r, 0, captures, used);
    return { when, actions: genActions(r, captures, used) };
  });
}

// ---- the generated rules as a RuleSet (what formatRules takes), and normalized for comparing ----

const span = { line: 1, column: 1, endColumn: 1 };

function toExpr(e: GenExpr): Expr {
  switch (e.kind) {
    case 'condition':
      return { kind: 'condition', condition: { kind: e.clause.kind, args: e.clause.args, span }, span };
    case 'not':
      return { kind: 'not', item: toExpr(e.item), span };
    default:
      return { kind: e.kind, items: e.items.map(toExpr), span };
  }
}

function toRuleSet(rules: GenRule[]): RuleSet {
  return {
    rules: rules.map((rule, i) => ({
      line: i + 1,
      source: '',
      when: rule.when ? toExpr(rule.when) : null,
      actions: rule.actions.map((a) => ({ kind: a.kind, args: a.args, span })),
    })),
  };
}

type Normal = { c: string; args: ArgValue[] } | { not: Normal } | { and: Normal[] } | { or: Normal[] };

/** Without positions, and `a and (b and c)` as `a and b and c`: what the rules mean, not how they were grouped. */
function normalize(e: Expr): Normal {
  switch (e.kind) {
    case 'condition':
      return { c: e.condition.kind, args: e.condition.args };
    case 'not':
      return { not: normalize(e.item) };
    default: {
      const items = e.items.flatMap((i) => (i.kind === e.kind ? (normalize(i) as Record<string, Normal[]>)[e.kind]! : [normalize(i)]));
      return e.kind === 'and' ? { and: items } : { or: items };
    }
  }
}

function meaning(ruleSet: RuleSet) {
  return ruleSet.rules.map((r) => ({ when: r.when ? normalize(r.when) : null, actions: r.actions.map((a) => ({ kind: a.kind, args: a.args })) }));
}

// ---- the sloppy writer ----

function blank(r: Random): string {
  return r.pick([' ', ' ', ' ', '  ', '\t', ' \u00a0']);
}

function writeClause(r: Random, c: GenClause): string {
  return c.parts.map((p) => ('words' in p ? p.words.map((w) => anyCase(r, w)).join(blank(r)) : p.slot)).join(blank(r));
}

function writeExpr(r: Random, e: GenExpr, inside: 'top' | 'and' | 'or' | 'not'): string {
  let text: string;
  let needsParens = false;
  switch (e.kind) {
    case 'condition':
      text = writeClause(r, e.clause);
      break;
    case 'not':
      text = `${anyCase(r, 'not')}${blank(r)}${writeExpr(r, e.item, 'not')}`;
      break;
    case 'and':
      // TargetProcess's 'and' between conditions may be left out.
      text = e.items.map((i) => writeExpr(r, i, 'and')).join(r.chance(0.5) ? blank(r) : `${blank(r)}${anyCase(r, 'and')}${blank(r)}`);
      needsParens = inside === 'not';
      break;
    case 'or':
      text = e.items.map((i) => writeExpr(r, i, 'or')).join(`${blank(r)}${anyCase(r, 'or')}${blank(r)}`);
      needsParens = inside === 'and' || inside === 'not';
      break;
  }
  // Parentheses where needed, and now and then where not.
  while (needsParens || r.chance(0.1)) {
    text = `(${r.chance(0.5) ? ' ' : ''}${text}${r.chance(0.5) ? ' ' : ''})`;
    needsParens = false;
  }
  return text;
}

function writeRule(r: Random, rule: GenRule): string {
  const actions = rule.actions.map((a) => writeClause(r, a)).join(r.chance(0.3) ? blank(r) : `${blank(r)}${anyCase(r, 'and')}${blank(r)}`);
  const dangling = r.chance(0.05) ? `${blank(r)}and` : '';
  const then = `${anyCase(r, 'then')}${blank(r)}${actions}${dangling}`;
  if (!rule.when) return then;
  const danglingWhen = r.chance(0.05) ? `${blank(r)}and` : '';
  return `${anyCase(r, 'when')}${blank(r)}${writeExpr(r, rule.when, 'top')}${danglingWhen}${blank(r)}${then}`;
}

// ---- the property ----

function checkCase(seed: number): void {
  const r = new Random(seed);
  const rules = genRuleSet(r, new Set());
  const ruleSet = toRuleSet(rules);
  const canonical = formatRules(ruleSet);
  const fail = (what: string, detail: unknown) => {
    throw new Error(`seed ${seed} (rerun: MAILBIND_ROUNDTRIP_SEED=${seed}): ${what}\n${canonical}\n${typeof detail === 'string' ? detail : JSON.stringify(detail, null, 1)}`);
  };

  const expected = meaning(ruleSet);
  /** The differences, or null; JSON first, as it is quicker than deepEqual for the thousands that agree. */
  const differences = (got: RuleSet): string | null => {
    const actual = meaning(got);
    if (JSON.stringify(actual) === JSON.stringify(expected)) return null;
    try {
      assert.deepEqual(actual, expected);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  };

  const parsed = parseRules(canonical);
  if (parsed.errors.length) fail('the canonical text does not parse', parsed.errors);
  const changed = differences(parsed.ruleSet);
  if (changed) fail('the canonical text parses to other rules', changed);
  const again = formatRules(parsed.ruleSet);
  if (again !== canonical) fail('format → parse → format changed the text', again);

  const sloppy = rules.map((rule) => writeRule(r, rule)).join(r.pick(['\n', '\r\n', '\n# a comment\n\n']));
  const read = parseRules(sloppy);
  if (read.errors.length) fail(`a sloppy spelling does not parse:\n${sloppy}`, read.errors);
  const misread = differences(read.ruleSet);
  if (misread) fail(`a sloppy spelling parses to other rules:\n${sloppy}`, misread);
  if (formatRules(read.ruleSet) !== canonical) fail(`a sloppy spelling formats otherwise:\n${sloppy}`, formatRules(read.ruleSet));
}

describe('format → parse → format over generated rule sets', () => {
  const used = new Set<string>();

  if (ONLY_SEED !== undefined) {
    test(`seed ${ONLY_SEED}`, () => checkCase(Number(ONLY_SEED)));
    return;
  }

  test(`${CASES} seeded cases: the canonical text parses back to the same rules and is a fixed point; sloppy spellings read the same`, () => {
    for (let seed = 1; seed <= CASES; seed++) checkCase(seed);
  });

  test('the generator uses every phrase of the vocabulary', () => {
    for (let seed = 1; seed <= CASES; seed++) genRuleSet(new Random(seed), used);
    const all = [...vocabulary().conditions.values(), ...vocabulary().actions.values()].filter((d) => d.pattern === d.canonical).map((d) => d.canonical.key);
    assert.deepEqual(all.filter((k) => !used.has(k)), []);
  });

  test('the generator is deterministic: a seed gives the same rules', () => {
    const text = (seed: number) => formatRules(toRuleSet(genRuleSet(new Random(seed), new Set())));
    assert.equal(text(42), text(42));
    assert.notEqual(text(42), text(43));
  });
});
