// Building and printing RuleErrors.

import { clip, isLowSurrogate } from './clip.js';
import type { Token } from './lexer.js';
import { splitLines } from './lexer.js';
import type { RuleError } from './types.js';

/** Thrown inside the parser to abandon a line at its first error; never escapes `parseRules`. */
export class ParseFailure extends Error {
  constructor(readonly error: RuleError) {
    super(error.message);
  }
}

/** How a token (or the end of the line, when undefined) is named after "but found"; long ones clipped. */
export function describeToken(token: Token | undefined): string {
  if (!token) return 'end of line';
  switch (token.kind) {
    case 'string':
    case 'openString':
      return `the quoted text ${clip(token.text)}`;
    case 'dqString':
      return clip(token.text);
    default:
      return `'${clip(token.text)}'`;
  }
}

/**
 * `FILE:LINE:COL: message (suggestion)`; without a file, `LINE:COL: message (suggestion)`. Takes any
 * located message, e.g. a `decodeRuleText` error.
 */
export function formatRuleError(e: Pick<RuleError, 'line' | 'column' | 'message' | 'suggestion'>, file?: string): string {
  const where = `${file !== undefined ? `${file}:` : ''}${e.line}:${e.column}`;
  return `${where}: ${e.message}${e.suggestion ? ` (${e.suggestion})` : ''}`;
}

/** How many columns of the line `formatRuleErrorWithSource` shows, and how many of them before the error. */
const WINDOW = 80;
const BEFORE = 20;

/**
 * `formatRuleError` followed by the offending line of `source` (the whole rule text) and a caret line
 * under the error, as compilers print it. Tabs before the error are copied so the caret lines up. A long
 * line is shown as a window of about 80 columns around the error, '…' marking each cut side; a caret run
 * that goes on past the window ends under the '…'.
 */
export function formatRuleErrorWithSource(e: RuleError, source: string, file?: string): string {
  const head = formatRuleError(e, file);
  const line = splitLines(source)[e.line - 1];
  if (line === undefined) return head;
  const at = e.column - 1;
  let start = Math.max(0, Math.min(at - BEFORE, line.length - WINDOW));
  let end = Math.min(line.length, start + WINDOW);
  // Never show half of a surrogate pair.
  if (start > 0 && isLowSurrogate(line.charCodeAt(start))) start++;
  if (end < line.length && isLowSurrogate(line.charCodeAt(end))) end--;
  const cutStart = start > 0 ? '…' : '';
  const cutEnd = end < line.length ? '…' : '';
  const pad = cutStart.replace('…', ' ') + line.slice(start, at).replace(/[^\t]/g, ' ');
  const shown = Math.max(1, Math.min(e.endColumn - 1, end) - at);
  const width = shown + (e.endColumn - 1 > end ? 1 : 0);
  return `${head}\n${cutStart}${line.slice(start, end)}${cutEnd}\n${pad}^${'~'.repeat(width - 1)}`;
}
