// Building and printing RuleErrors.

import type { Token } from './lexer.js';
import { splitLines } from './lexer.js';
import type { RuleError } from './types.js';

/** Thrown inside the parser to abandon a line at its first error; never escapes `parseRules`. */
export class ParseFailure extends Error {
  constructor(readonly error: RuleError) {
    super(error.message);
  }
}

/** How a token (or the end of the line, when undefined) is named after "but found". */
export function describeToken(token: Token | undefined): string {
  if (!token) return 'end of line';
  switch (token.kind) {
    case 'string':
    case 'openString':
      return `the keyword list ${token.text}`;
    case 'dqString':
      return token.text;
    default:
      return `'${token.text}'`;
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

/**
 * `formatRuleError` followed by the offending line of `source` (the whole rule text) and a caret line
 * under the error, as compilers print it. Tabs before the error are copied so the caret lines up.
 */
export function formatRuleErrorWithSource(e: RuleError, source: string, file?: string): string {
  const head = formatRuleError(e, file);
  const line = splitLines(source)[e.line - 1];
  if (line === undefined) return head;
  const pad = line.slice(0, e.column - 1).replace(/[^\t]/g, ' ');
  const width = Math.max(1, e.endColumn - e.column);
  return `${head}\n${line}\n${pad}^${'~'.repeat(width - 1)}`;
}
