// Recursive descent over one line at a time. Each line is parsed on its own, so one bad line neither hides
// nor disturbs the errors of the others, and the whole text is linear to parse.
//
//   rule      := [ "when" or ] "then" action { ["and"] action }
//   or        := and { "or" and }
//   and       := factor { ["and"] factor }          -- TargetProcess's 'and' between conditions is optional
//   factor    := "not" factor | "(" or ")" | condition
//
// Conditions and actions are the vocabulary's phrases (language.ts): words and slots.

import { Cursor } from './cursor.js';
import { ParseFailure, describeToken } from './errors.js';
import type { ActionDefinition, Defined } from './language.js';
import { isBlankOrComment, splitLines, type Token } from './lexer.js';
import type { Part } from './pattern.js';
import {
  AND,
  CLOSE,
  NOT,
  OPEN,
  OR,
  THEN,
  WHEN,
  actionLeads,
  actionsStartingWith,
  conditionLeads,
  conditionsStartingWith,
  describeChoice,
  expectedList,
  joinOr,
  quote,
  type Choice,
  type Phrase,
} from './phrases.js';
import { compileRegex } from './regex.js';
import { readSlot } from './slots.js';
import { closestPhrase } from './suggest.js';
import type { Action, ArgValue, Clause, Expr, ItemKind, MessageView, RegexValue, Rule, RuleError, RuleSet, Span } from './types.js';

export function parseRules(source: string): { ruleSet: RuleSet; errors: RuleError[] } {
  const rules: Rule[] = [];
  const errors: RuleError[] = [];
  splitLines(source).forEach((text, index) => {
    if (isBlankOrComment(text)) return;
    try {
      rules.push(new LineParser(text, index + 1).parseRule());
    } catch (e) {
      if (!(e instanceof ParseFailure)) throw e;
      errors.push(e.error);
    }
  });
  return { ruleSet: { rules }, errors };
}

/** A refinement of the generic "expected X but found Y" error for a situation worth explaining. */
interface Hint {
  /** replaces the whole message; the error then covers the clause from its first token */
  message?: string;
  suggestion?: string;
  /** how many tokens the error covers (default 1) */
  tokens?: number;
}

/** What an action clause is, for the checks between actions. */
interface ParsedAction {
  clause: Action;
  defined: Defined<ActionDefinition>;
  /** The item kind a create action makes. */
  creates: ItemKind | null;
}

const TEAM_KEY = 'attach request to team {team}';

class LineParser {
  private readonly c: Cursor;
  /** Named groups of this rule's regular expressions: what actions may use as {captures}. */
  private readonly captures = new Set<string>();
  /** Optional tails a clause left out (`with title`, `because`), by the token where they would have stood. */
  private readonly skipped: { at: number; words: Phrase }[] = [];

  constructor(source: string, line: number) {
    this.c = new Cursor(source, line);
  }

  parseRule(): Rule {
    const first = this.choose({ phrases: [WHEN, THEN] }, () => this.lineStartHint());
    const when = first === WHEN ? this.parseExpression(0) : null;
    const actions = this.parseActions();
    return { line: this.c.line, source: this.c.source, when, actions };
  }

  // ---- conditions ----

  /** An `or` of `and`s up to 'then' (depth 0, consumed) or ')' (inside parentheses, consumed). */
  private parseExpression(depth: number): Expr {
    const start = this.c.pos;
    const ors: Expr[][] = [[]];
    let afterJoin: 'and' | 'or' | null = null;
    for (;;) {
      const current = ors[ors.length - 1]!;
      const end = depth === 0 ? THEN : CLOSE;
      // TargetProcess accepted a dangling 'and' before 'then'.
      const danglingAnd = afterJoin === 'and' && this.c.at(end);
      if (!danglingAnd && (current.length === 0 || afterJoin === 'and')) {
        current.push(this.parseFactor(depth, ors.length === 1 && current.length === 0 ? 'first' : afterJoin ?? 'first'));
        afterJoin = null;
        continue;
      }
      const choice: Choice = { phrases: [AND, OR, end, NOT, OPEN, ...conditionLeads()] };
      const token = this.c.peek();
      // A condition (or 'not', '(') right after a condition: TargetProcess's optional 'and'.
      if (token && choice.phrases.slice(3).some((p) => this.c.at(p))) {
        current.push(this.parseFactor(depth, 'and'));
        continue;
      }
      const phrase = this.choose(choice, () => this.actionWithoutThenHint(depth));
      if (phrase === AND) afterJoin = 'and';
      else if (phrase === OR) {
        ors.push([]);
        afterJoin = 'or';
      } else {
        const spanEnd = this.c.tokens[this.c.pos - 2]!.end + 1;
        const span = { line: this.c.line, column: this.c.tokens[start]!.start + 1, endColumn: spanEnd };
        const ands = ors.map((items): Expr => (items.length === 1 ? items[0]! : { kind: 'and', items, span: cover(items) }));
        return ands.length === 1 ? ands[0]! : { kind: 'or', items: ands, span };
      }
    }
  }

  private parseFactor(depth: number, after: 'first' | 'and' | 'or' | 'not'): Expr {
    const start = this.c.pos;
    const end = depth === 0 ? THEN : CLOSE;
    const choice: Choice = { phrases: after === 'and' ? [end, NOT, OPEN, ...conditionLeads()] : [NOT, OPEN, ...conditionLeads()] };
    const phrase = this.choose(choice, () => (after === 'first' && depth === 0 ? this.emptyWhenHint(choice) : this.actionWithoutThenHint(depth)));
    if (phrase === NOT) {
      // Not 'first': an error here is about the condition 'not' lacks, not an empty 'when'.
      const item = this.parseFactor(depth, 'not');
      return { kind: 'not', item, span: { ...item.span, column: this.c.tokens[start]!.start + 1 } };
    }
    if (phrase === OPEN) {
      const inner = this.parseExpression(depth + 1);
      return { ...inner, span: this.c.spanFrom(start) } as Expr;
    }
    const candidates = conditionsStartingWith(phrase!);
    if (candidates.length === 0) this.fail(choice); // a phrase the vocabulary does not hold: cannot happen
    const condition = this.parseClause(candidates, start, false);
    return { kind: 'condition', condition, span: condition.span };
  }

  // ---- clauses: a phrase's words and slots ----

  /** After the leading words: the rest of the phrase, choosing among phrases that start alike. */
  private parseClause(candidates: Defined<unknown>[], start: number, inAction: boolean): Clause {
    let remaining = candidates;
    const args: ArgValue[] = [];
    const argSpans: (Span | null)[] = [];
    for (let i = 1; ; i++) {
      const parts = remaining.map((d) => d.pattern.parts[i]);
      const ended = remaining.filter((_, k) => parts[k] === undefined);
      const going = remaining.filter((_, k) => parts[k] !== undefined);
      if (going.length === 0) return this.finishClause(ended[0]!, args, argSpans, start);
      const next = parts.find((p) => p !== undefined)!;
      if ('words' in next) {
        const phrases = [...new Set(going.map((d) => (d.pattern.parts[i] as { words: Phrase }).words))];
        if (ended.length && !phrases.some((p) => this.c.at(p))) return this.finishClause(ended[0]!, args, argSpans, start);
        const phrase = this.choose({ phrases });
        remaining = going.filter((d) => (d.pattern.parts[i] as { words: Phrase }).words === phrase);
      } else if ('optional' in next) {
        const part = next as Extract<Part, { optional: readonly string[] }>;
        if (this.c.at(part.optional)) {
          this.c.requireSpace(this.c.peek()!);
          this.c.pos += part.optional.length;
          const at = this.c.pos;
          args.push(this.slot(part.slot, inAction));
          argSpans.push(this.c.spanFrom(at));
        } else {
          args.push(null);
          argSpans.push(null);
          this.skipped.push({ at: this.c.pos, words: part.optional });
        }
        remaining = going;
      } else {
        // A phrase that ends here next to one that goes on with a slot: the slot only if its value is here.
        if (ended.length && !slotStartsAt(next.slot, this.c.peek())) return this.finishClause(ended[0]!, args, argSpans, start);
        const at = this.c.pos;
        args.push(this.slot(next.slot, inAction));
        argSpans.push(this.c.spanFrom(at));
        remaining = going;
      }
    }
  }

  private slot(slot: Extract<Part, { slot: unknown }>['slot'], inAction: boolean): ArgValue {
    const at = this.c.pos;
    const value = readSlot(this.c, slot, { inAction });
    if (slot.type === 'regex') {
      const compiled = compileRegex(value as RegexValue);
      if (compiled.ok) for (const g of compiled.groups) this.captures.add(g);
    }
    if (inAction) this.checkCaptures(slot, value, at);
    return value;
  }

  /** A {capture} in an action must be one a regular expression of this rule's conditions names. */
  private checkCaptures(slot: Extract<Part, { slot: unknown }>['slot'], value: ArgValue, at: number): void {
    const used: string[] = [];
    if (slot.type === 'project' && value && typeof value === 'object' && 'capture' in value) used.push(value.capture);
    if (slot.type === 'text') {
      for (const m of (value as string).matchAll(/(?<!\\)\{([\p{L}_][\p{L}\p{N}_]*)\}/gu)) used.push(m[1]!);
    }
    const unknown = used.find((name) => !this.captures.has(name));
    if (unknown === undefined) return;
    const known = [...this.captures];
    throw new ParseFailure({
      ...this.c.tokenSpan(at, 1),
      expected: known.length ? known.map((k) => `{${k}}`) : ['a capture'],
      message: `no capture named '${unknown}' in this rule: a {name} stands for a named group (?<name>…) of a 'matches' condition`,
      ...(known.length ? { suggestion: `this rule captures ${known.map((k) => `{${k}}`).join(', ')}` } : slot.type === 'text' ? { suggestion: 'write \\{ for a brace' } : {}),
    });
  }

  private finishClause(defined: Defined<unknown>, args: ArgValue[], argSpans: (Span | null)[], start: number): Clause {
    const clause = { kind: defined.canonical.key, args, span: this.c.spanFrom(start), argSpans };
    const problem = (defined.definition as { check?: (a: readonly ArgValue[]) => string | undefined }).check?.(args);
    if (problem) {
      throw new ParseFailure({
        ...this.c.tokenSpan(start, this.c.pos - start),
        expected: [`a valid ${quote(defined.pattern.parts[0] && 'words' in defined.pattern.parts[0] ? defined.pattern.parts[0].words : [])}`],
        message: problem,
      });
    }
    return clause;
  }

  // ---- actions ----

  /** After 'then', to the end of the line. */
  private parseActions(): Action[] {
    const actions: ParsedAction[] = [];
    let afterAnd = false;
    for (;;) {
      const last = actions[actions.length - 1];
      const leads = actionLeads();
      const phrases = actions.length === 0 || afterAnd ? [...leads] : [AND, ...leads];
      // A dangling 'and' at the end is accepted, as TargetProcess did.
      const choice: Choice = { phrases, endOfLine: actions.length > 0 };
      const start = this.c.pos;
      const phrase = this.choose(choice);
      if (phrase === null) return actions.map((a) => a.clause);
      if (phrase === AND) {
        afterAnd = true;
        continue;
      }
      const candidates = actionsStartingWith(phrase) as Defined<ActionDefinition>[];
      const clause = this.parseClause(candidates, start, true);
      const defined = candidates.find((d) => d.canonical.key === clause.kind)!;
      this.checkPlacement(defined, actions, last, start);
      actions.push({ clause, defined, creates: createdKind(defined, clause) });
      afterAnd = false;
    }
  }

  /** Modifiers need the item created before them; 'ignore' stands alone. */
  private checkPlacement(defined: Defined<ActionDefinition>, before: ParsedAction[], last: ParsedAction | undefined, start: number): void {
    const d = defined.definition;
    const words = quote(leadWords(defined));
    const failHere = (message: string, expected = ["a 'create …' action before it"]): never => {
      throw new ParseFailure({ ...this.c.tokenSpan(start, this.c.pos - start), expected, message });
    };
    const alone = before.find((a) => a.defined.definition.role === 'alone');
    if (alone) failHere(`${quote(leadWords(alone.defined))} must be the rule's only action: an ignored message gets no item`, ['end of line']);
    if (d.role === 'alone' && before.length) failHere(`${words} must be the rule's only action: an ignored message gets no item`, [`${words} alone`]);
    // TargetProcess's team belongs to the request right before it: one, and only there.
    if (defined.canonical.key === TEAM_KEY) {
      if (last?.clause.kind === TEAM_KEY) {
        failHere(`the request already has a team (team ${String(last.clause.args[0])}): a request has one team`, ['one team per request']);
      }
      if (last?.creates !== 'request') {
        failHere("'attach request to team' must come directly after a 'create request' action", ["'create request in project' right before it"]);
      }
      return;
    }
    if (d.role !== 'modifier') return;
    const item = [...before].reverse().find((a) => a.creates !== null);
    if (!item) return failHere(`${words} changes the item the rule creates: put a 'create …' action before it`);
    if (d.onlyFor && !d.onlyFor.includes(item.creates!)) {
      failHere(
        `${words} applies to ${d.onlyFor.map(plural).join(' and ')} only, and the item before it is a ${itemWords(item.creates!)}`,
        // There is a create before it, but of the wrong kind: name the kinds that would do.
        d.onlyFor.map((kind) => `a 'create ${itemWords(kind)} …' action before it`),
      );
    }
  }

  // ---- tokens and phrases ----

  /**
   * Consumes the first phrase of `choice` found at the current token and returns it, or returns null at
   * the end of the line when that is allowed. Anything else is this line's error.
   */
  private choose(choice: Choice, hint?: () => Hint | undefined): Phrase | null {
    const token = this.c.peek();
    if (!token) {
      if (choice.endOfLine) return null;
      this.fail(choice, hint);
    }
    if (token.kind === 'openString') this.c.failUnterminated(token);
    // The longest phrase written here wins: a plugin's `has attachment named` next to `has attachment`.
    let phrase: Phrase | undefined;
    for (const p of choice.phrases) if (this.c.at(p) && (!phrase || p.length > phrase.length)) phrase = p;
    if (!phrase) this.fail(choice, hint);
    this.c.requireSpace(token);
    this.c.pos += phrase.length;
    return phrase;
  }

  private fail(choice: Choice, hint?: () => Hint | undefined): never {
    // An optional tail the clause before left out (`with title`, `because`) could have stood here. When the
    // text looks like it (`wiht title`, `with titel`), it is named like the phrase's other words, with a
    // 'did you mean'; other mistakes after a clause are reported as they were.
    const words = this.c.wordsAt(this.c.pos);
    const tails = this.skipped
      .filter((s) => s.at === this.c.pos && (this.c.progress(s.words) > 0 || closestPhrase(words, [s.words])))
      .map((s) => s.words);
    if (tails.length) choice = { ...choice, phrases: [...tails, ...choice.phrases] };
    const refined = hint?.() ?? {};
    // A refined message speaks about the whole clause, so the error starts where the clause does.
    const progress = refined.message ? 0 : Math.max(...choice.phrases.map((p) => this.c.progress(p)));
    const found = this.c.tokens[this.c.pos + progress];
    let expected: string[];
    let message: string;
    if (progress === 0) {
      expected = expectedList(choice);
      message = `expected ${describeChoice(choice)} but found ${describeToken(found)}`;
    } else {
      // Part of a phrase is there: say which word is wrong, where it is.
      const partial = choice.phrases.filter((p) => this.c.progress(p) === progress);
      const next = [...new Set(partial.map((p) => `'${p[progress]}'`))];
      expected = next;
      message = `expected ${joinOr(next)} after ${quote(partial[0]!.slice(0, progress))} but found ${describeToken(found)}`;
    }
    const suggestion = refined.suggestion ?? this.suggestFor(choice, found);
    const span = this.c.tokenSpan(this.c.pos + progress, refined.tokens ?? 1);
    throw new ParseFailure({ ...span, expected, message: refined.message ?? message, ...(suggestion ? { suggestion } : {}) });
  }

  private suggestFor(choice: Choice, found: Token | undefined): string | undefined {
    const previous = this.c.tokens[this.c.pos - 1];
    // A ')' right after a string closes a group: only other tokens glued to a string hint at a quote.
    if (found && !found.spaceBefore && previous?.kind === 'string' && found.kind !== 'paren') {
      return "a quote inside a keyword is written \\'";
    }
    if (found?.text.startsWith('#') && choice.endOfLine) {
      return 'a comment must be on a line of its own';
    }
    // The first words of a phrase are there: that phrase is meant, whatever the next word looks like.
    const progress = Math.max(0, ...choice.phrases.map((p) => this.c.progress(p)));
    const begun = progress > 0 ? choice.phrases.filter((p) => this.c.progress(p) === progress) : [];
    if (begun.length === 1) return `did you mean ${quote(begun[0]!)}?`;
    const phrase = closestPhrase(this.c.wordsAt(this.c.pos), choice.phrases);
    return phrase ? `did you mean ${quote(phrase)}?` : undefined;
  }

  // ---- refinements of the generic error ----

  private lineStartHint(): Hint | undefined {
    for (const [group, keyword] of [
      [conditionLeads(), WHEN],
      [actionLeads(), THEN],
    ] as const) {
      const phrase = group.find((p) => this.c.at(p));
      if (phrase) return { suggestion: `did you mean ${quote([...keyword, ...phrase])}?` };
    }
    return undefined;
  }

  private emptyWhenHint(choice: Choice): Hint | undefined {
    const previous = this.c.tokens[this.c.pos - 1];
    if (!this.c.at(THEN) || previous?.text.toLowerCase() !== 'when') return undefined;
    return {
      message: `expected ${describeChoice(choice)} but found 'then': 'when' needs at least one condition`,
      suggestion: "leave out 'when' for a rule that always matches",
    };
  }

  private actionWithoutThenHint(depth: number): Hint | undefined {
    const phrase = actionLeads().find((p) => this.c.at(p));
    if (!phrase) return undefined;
    return { suggestion: depth > 0 ? `did you mean ${quote([...CLOSE, ...THEN, ...phrase])}?` : `did you mean ${quote([...THEN, ...phrase])}?` };
  }
}

/** Whether `token` can begin a value of `slot` (no error is raised here; reading it says what is wrong). */
function slotStartsAt(slot: Extract<Part, { slot: unknown }>['slot'], token: Token | undefined): boolean {
  if (!token) return false;
  switch (slot.type) {
    case 'keywords':
    case 'text':
      return token.kind === 'string' || token.kind === 'openString' || token.kind === 'dqString';
    case 'regex':
      return token.kind === 'regex' || token.kind === 'openRegex';
    case 'project':
      return token.kind === 'number' || token.kind === 'placeholder' || (token.kind === 'word' && !['and', 'or', 'then'].includes(token.text.toLowerCase()));
    case 'team':
    case 'number':
    case 'size':
      return token.kind === 'number';
    case 'choice':
      return token.kind === 'word' && slot.options.includes(token.text.toLowerCase());
  }
}

function cover(items: Expr[]): Expr['span'] {
  return { line: items[0]!.span.line, column: items[0]!.span.column, endColumn: items[items.length - 1]!.span.endColumn };
}

function leadWords(defined: Defined<unknown>): Phrase {
  const first = defined.canonical.parts[0]!;
  return 'words' in first ? first.words : [];
}

function createdKind(defined: Defined<ActionDefinition>, clause: Clause): ItemKind | null {
  if (defined.definition.role !== 'create') return null;
  const steps = defined.definition.steps(clause.args.map((a) => a ?? null), EMPTY_VIEW);
  const create = steps.find((s) => s.do === 'create');
  return create && create.do === 'create' ? create.item : null;
}

const plural = (kind: ItemKind) => (kind === 'story' ? 'user stories' : `${kind}s`);
const itemWords = (kind: ItemKind) => (kind === 'story' ? 'user story' : kind);

// Asking a create action which kind it makes needs no message.
const EMPTY_VIEW: MessageView = {
  subject: '', from: '', to: [], cc: [], recipients: [], body: '', header: () => [], attachments: [], size: 0,
  sender: { email: null, is: 'unknown', companyId: null, companyName: null },
};

