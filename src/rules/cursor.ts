// A position in the tokens of one line, and reading what stands there: keyword words, ids and keyword
// lists. Errors of the operands are raised here; choosing between keyword phrases is the parser's job.

import { clip, MAX_QUOTED } from './clip.js';
import { ParseFailure, describeToken } from './errors.js';
import { parseKeywordList } from './keywords.js';
import { asciiLower, tokenize, type Token } from './lexer.js';
import type { Phrase } from './phrases.js';
import type { RuleError, Span } from './types.js';

/** TargetProcess stored ids as 32-bit ints and crashed on anything larger. */
export const MAX_ID = 2147483647;

export class Cursor {
  readonly tokens: Token[];
  pos = 0;

  constructor(
    readonly source: string,
    readonly line: number,
  ) {
    this.tokens = tokenize(source);
  }

  peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  /** How many leading words of `phrase` stand at the current token. */
  progress(phrase: Phrase): number {
    return this.matchedWords(phrase, this.pos);
  }

  /** Whether the whole of `phrase` stands at the current token. */
  at(phrase: Phrase): boolean {
    return this.progress(phrase) === phrase.length;
  }

  /**
   * How many leading words of `phrase` stand at token `at` (case-insensitive). Lengths are compared first
   * (ASCII lowercasing keeps them), so a huge word is never lowercased again for every phrase tried.
   */
  private matchedWords(phrase: Phrase, at: number): number {
    let n = 0;
    while (n < phrase.length) {
      const t = this.tokens[at + n];
      const word = phrase[n]!;
      if (!t || (t.kind !== 'word' && t.kind !== 'paren') || t.text.length !== word.length || asciiLower(t.text) !== word) break;
      n++;
    }
    return n;
  }

  /** The lowercased words standing in a row from token `at`, enough to compare with any phrase. */
  wordsAt(at: number): string[] {
    const words: string[] = [];
    for (let t = this.tokens[at]; t?.kind === 'word' && words.length < 7; t = this.tokens[at + words.length]) {
      words.push(t.text.toLowerCase());
    }
    return words;
  }

  /** TargetProcess needed no space between tokens (`project1`); we do, so `project1x` cannot sneak in. */
  requireSpace(token: Token): void {
    const previous = this.tokens[this.pos - 1];
    // Parentheses need no space: `(from contains 'x')`.
    if (!previous || token.spaceBefore || token.kind === 'paren' || previous.kind === 'paren') return;
    const plain = (t: Token) => t.kind === 'word' || t.kind === 'number';
    throw new ParseFailure({
      ...this.tokenSpan(this.pos, 1),
      expected: ['a space'],
      message: `missing space between ${describeToken(previous)} and ${describeToken(token)}`,
      ...(plain(previous) && plain(token)
        ? { suggestion: `did you mean '${clip(previous.text, MAX_QUOTED / 2, 'end')} ${clip(token.text, MAX_QUOTED / 2)}'?` }
        : {}),
    });
  }

  expectId(what: 'project' | 'team', alternatives = ''): number {
    const token = this.tokens[this.pos];
    if (token?.kind === 'openString') this.failUnterminated(token);
    if (token?.kind !== 'number') {
      throw new ParseFailure({
        ...this.tokenSpan(this.pos, 1),
        expected: [`a ${what} id${alternatives ? ` ${alternatives}` : ''}`],
        message: `expected a ${what} id (digits)${alternatives ? ` ${alternatives}` : ''} but found ${describeToken(token)}`,
      });
    }
    this.requireSpace(token);
    const value = Number(token.text);
    if (value > MAX_ID) {
      throw new ParseFailure({
        ...this.tokenSpan(this.pos, 1),
        expected: [`a ${what} id up to ${MAX_ID}`],
        message: `${what} id ${clip(token.text)} is too large (the largest id is ${MAX_ID})`,
      });
    }
    this.pos++;
    return value;
  }

  expectKeywords(): string[] {
    const token = this.tokens[this.pos];
    if (token?.kind === 'openString') this.failUnterminated(token);
    if (token?.kind === 'dqString') {
      const closed = token.text.length > 1 && token.text.endsWith('"');
      const inner = token.text.slice(1, closed ? -1 : undefined).replace(/\\"/g, '"').replace(/'/g, "\\'");
      throw new ParseFailure({
        ...this.tokenSpan(this.pos, 1),
        expected: ['a keyword list in single quotes'],
        message: 'keywords must be in single quotes, not double quotes',
        ...(closed ? { suggestion: `did you mean '${clip(inner)}'?` } : {}),
      });
    }
    if (token?.kind !== 'string') {
      throw new ParseFailure({
        ...this.tokenSpan(this.pos, 1),
        expected: ['a keyword list in single quotes'],
        message: `expected a keyword list in single quotes ('keyword, keyword') but found ${describeToken(token)}`,
      });
    }
    this.requireSpace(token);
    const list = parseKeywordList(token.text, token.start);
    if (!list.ok) {
      throw new ParseFailure({
        line: this.line,
        column: list.start + 1,
        endColumn: list.end + 1,
        text: clip(this.source.slice(list.start, list.end)),
        expected: ['a keyword'],
        message: list.message,
        ...(list.suggestion ? { suggestion: list.suggestion } : {}),
      });
    }
    this.pos++;
    return list.keywords;
  }

  /** `token` is the current one: an unterminated string always runs to the end of the line. */
  failUnterminated(token: Token): never {
    throw new ParseFailure({
      ...this.tokenSpan(this.pos, 1),
      expected: ["a closing '"],
      message: "unterminated keyword list: the closing ' is missing",
      ...(token.text.includes("\\'")
        ? { suggestion: "\\' is a quote inside a keyword, not the end of the list" }
        : {}),
    });
  }

  /** The span of `count` tokens from token `at`; at the end of the line, an empty span after the text. */
  tokenSpan(at: number, count: number): Omit<RuleError, 'expected' | 'message'> {
    const first = this.tokens[at];
    if (!first) {
      const column = this.source.trimEnd().length + 1;
      return { line: this.line, column, endColumn: column, text: '' };
    }
    const last = this.tokens[Math.min(at + count, this.tokens.length) - 1]!;
    return {
      line: this.line,
      column: first.start + 1,
      endColumn: last.end + 1,
      text: clip(this.source.slice(first.start, last.end)),
    };
  }

  /** From token `start` to the last consumed token. */
  spanFrom(start: number): Span {
    return {
      line: this.line,
      column: this.tokens[start]!.start + 1,
      endColumn: this.tokens[this.pos - 1]!.end + 1,
    };
  }
}
