// Recursive descent over one line at a time. Each line is parsed on its own, so one bad line neither hides
// nor disturbs the errors of the others, and the whole text is linear to parse.

import { Cursor } from './cursor.js';
import { ParseFailure, describeToken } from './errors.js';
import { isBlankOrComment, splitLines, type Token } from './lexer.js';
import {
  ACTIONS,
  AND,
  ATTACH_TO_PROJECT,
  ATTACH_TO_TEAM,
  CONDITIONS,
  CREATE_PUBLIC_REQUEST,
  SUBJECT_CONTAINS,
  THEN,
  WHEN,
  describeChoice,
  expectedList,
  joinOr,
  quote,
  type Choice,
  type Phrase,
} from './phrases.js';
import { closestPhrase } from './suggest.js';
import type { Action, Condition, Rule, RuleError, RuleSet } from './types.js';

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

class LineParser {
  private readonly c: Cursor;

  constructor(source: string, line: number) {
    this.c = new Cursor(source, line);
  }

  parseRule(): Rule {
    const first = this.choose({ phrases: [WHEN, THEN] }, () => this.lineStartHint());
    const conditions = first === WHEN ? this.parseConditions() : [];
    const actions = this.parseActions();
    return { line: this.c.line, source: this.c.source, conditions, actions };
  }

  /** After 'when', up to and including 'then'. */
  private parseConditions(): Condition[] {
    const conditions: Condition[] = [];
    let choice: Choice = { phrases: CONDITIONS };
    for (;;) {
      const start = this.c.pos;
      const phrase = this.choose(choice, () =>
        conditions.length === 0 ? this.emptyWhenHint(choice) : this.actionWithoutThenHint(),
      );
      if (phrase === THEN) return conditions;
      if (phrase === AND) {
        choice = { phrases: [THEN, ...CONDITIONS] };
        continue;
      }
      conditions.push(this.parseCondition(phrase!, start));
      choice = { phrases: [AND, THEN, ...CONDITIONS] };
    }
  }

  private parseCondition(phrase: Phrase, start: number): Condition {
    if (phrase === SUBJECT_CONTAINS) {
      const keywords = this.c.expectKeywords();
      return { kind: 'subjectContains', keywords, span: this.c.spanFrom(start) };
    }
    const projectId = this.c.expectId('project');
    return { kind: 'companyMatched', projectId, span: this.c.spanFrom(start) };
  }

  /** After 'then', to the end of the line. */
  private parseActions(): Action[] {
    const actions: Action[] = [];
    let afterAnd = false;
    for (;;) {
      const last = actions[actions.length - 1];
      const phrases = actions.length === 0 || afterAnd ? [...ACTIONS] : [AND, ...ACTIONS];
      // A team belongs to the create action right before it ('and' between is fine), once.
      const teamAllowed = last?.kind === 'createRequest' && last.teamId === null;
      if (teamAllowed) phrases.push(ATTACH_TO_TEAM);
      // A dangling 'and' at the end is accepted, as TargetProcess did.
      const choice: Choice = { phrases, endOfLine: actions.length > 0 };
      const start = this.c.pos;
      const phrase = this.choose(choice, () => this.misplacedTeamHint(last));
      if (phrase === null) return actions;
      if (phrase === AND) {
        afterAnd = true;
        continue;
      }
      afterAnd = false;
      if (phrase === ATTACH_TO_TEAM && last?.kind === 'createRequest') {
        last.teamId = this.c.expectId('team');
        last.span = { ...last.span, endColumn: this.c.spanFrom(start).endColumn };
        continue;
      }
      const projectId = this.c.expectId('project');
      const span = this.c.spanFrom(start);
      if (phrase === ATTACH_TO_PROJECT) {
        actions.push({ kind: 'attachToProject', projectId, span });
      } else {
        const visibility = phrase === CREATE_PUBLIC_REQUEST ? 'public' : 'private';
        actions.push({ kind: 'createRequest', projectId, visibility, teamId: null, span });
      }
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
    const phrase = choice.phrases.find((p) => this.c.at(p));
    if (!phrase) this.fail(choice, hint);
    this.c.requireSpace(token);
    this.c.pos += phrase.length;
    return phrase;
  }

  private fail(choice: Choice, hint?: () => Hint | undefined): never {
    const refined = hint?.() ?? {};
    // A refined message speaks about the whole clause, so the error starts where the clause does.
    const progress = refined.message
      ? 0
      : Math.max(...choice.phrases.map((p) => this.c.progress(p)));
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
      message =
        `expected ${joinOr(next)} after ${quote(partial[0]!.slice(0, progress))} ` +
        `but found ${describeToken(found)}`;
    }
    const suggestion = refined.suggestion ?? this.suggestFor(choice, found);
    const span = this.c.tokenSpan(this.c.pos + progress, refined.tokens ?? 1);
    throw new ParseFailure({
      ...span,
      expected,
      message: refined.message ?? message,
      ...(suggestion ? { suggestion } : {}),
    });
  }

  private suggestFor(choice: Choice, found: Token | undefined): string | undefined {
    const previous = this.c.tokens[this.c.pos - 1];
    if (found && !found.spaceBefore && previous?.kind === 'string') {
      return "a quote inside a keyword is written \\'";
    }
    if (found?.text.startsWith('#') && choice.endOfLine) {
      return 'a comment must be on a line of its own';
    }
    const phrase = closestPhrase(this.c.wordsAt(this.c.pos), choice.phrases);
    return phrase ? `did you mean ${quote(phrase)}?` : undefined;
  }

  // ---- refinements of the generic error ----

  private lineStartHint(): Hint | undefined {
    for (const [group, keyword] of [
      [CONDITIONS, WHEN],
      [ACTIONS, THEN],
    ] as const) {
      const phrase = group.find((p) => this.c.at(p));
      if (phrase) return { suggestion: `did you mean ${quote([...keyword, ...phrase])}?` };
    }
    return undefined;
  }

  private emptyWhenHint(choice: Choice): Hint | undefined {
    if (!this.c.at(THEN)) return undefined;
    return {
      message: `expected ${describeChoice(choice)} but found 'then': 'when' needs at least one condition`,
      suggestion: "leave out 'when' for a rule that always matches",
    };
  }

  private actionWithoutThenHint(): Hint | undefined {
    const phrase = ACTIONS.find((p) => this.c.at(p));
    return phrase ? { suggestion: `did you mean ${quote([...THEN, ...phrase])}?` } : undefined;
  }

  private misplacedTeamHint(last: Action | undefined): Hint | undefined {
    if (!this.c.at(ATTACH_TO_TEAM)) return undefined;
    const tokens = ATTACH_TO_TEAM.length;
    if (last?.kind === 'createRequest' && last.teamId !== null) {
      return { tokens, message: `the request already has a team (team ${last.teamId}): a request has one team` };
    }
    return {
      tokens,
      message: "'attach request to team' must come directly after a 'create request' action",
    };
  }
}
