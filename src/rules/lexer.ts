// Splits rule text into lines and one line into tokens. The lexer never fails: malformed pieces
// (unterminated or double-quoted strings, stray punctuation) become tokens of their own so the parser can
// report them in context, with what it expected at that point.

export type TokenKind =
  | 'word' // letters only, so `project1` is two tokens and the parser can ask for the missing space
  | 'number' // ASCII digits
  | 'string' // a closed single-quoted string
  | 'openString' // a single-quoted string that runs to the end of the line
  | 'dqString' // a double-quoted string, closed or not: always an error, but worth a precise message
  | 'regex' // a closed regular expression /.../flags
  | 'openRegex' // a regular expression whose closing / is missing: it runs to the end of the line
  | 'paren' // ( or ), one each
  | 'placeholder' // {name}: a capture of a `matches` condition, used in actions
  | 'other'; // a run of anything else (punctuation, symbols, digits of other scripts)

export interface Token {
  kind: TokenKind;
  /** The raw source text, quotes and escapes included. */
  text: string;
  /** 0-based offsets into the line; `end` is exclusive. */
  start: number;
  end: number;
  /** Whether whitespace (or the start of the line) precedes the token. */
  spaceBefore: boolean;
}

// Whitespace is JavaScript's \s, which like .NET's \s (used by TargetProcess) includes tabs, no-break
// spaces and the byte order mark.
const SPACE = /\s+/y;
const WORD = /[\p{L}\p{M}_]+/uy;
const NUMBER = /[0-9]+/y;
const OTHER = /[^\s\p{L}\p{M}_0-9'"()/{]+/uy;
const PLACEHOLDER = /\{[\p{L}_][\p{L}\p{N}_]*\}/uy;
const REGEX_FLAGS = /[\p{L}\p{N}_]*/uy;

/** Splits on CRLF, CR or LF; the terminators are not part of any line. */
export function splitLines(source: string): string[] {
  return source.split(/\r\n|\r|\n/);
}

/** Blank lines (whitespace only) and lines whose first non-space character is `#` hold no rule. */
export function isBlankOrComment(line: string): boolean {
  return /^\s*(#|$)/.test(line);
}

export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let spaceBefore = true;
  while (pos < line.length) {
    SPACE.lastIndex = pos;
    if (SPACE.test(line)) {
      pos = SPACE.lastIndex;
      spaceBefore = true;
      continue;
    }
    const start = pos;
    const kind = scanToken(line, start);
    pos = kind.end;
    tokens.push({ kind: kind.kind, text: line.slice(start, pos), start, end: pos, spaceBefore });
    spaceBefore = false;
  }
  return tokens;
}

function scanToken(line: string, start: number): { kind: TokenKind; end: number } {
  const c = line[start];
  if (c === "'") return scanSingleQuoted(line, start);
  if (c === '"') return { kind: 'dqString', end: scanDoubleQuoted(line, start) };
  if (c === '(' || c === ')') return { kind: 'paren', end: start + 1 };
  if (c === '/') return scanRegex(line, start);
  if (c === '{') {
    PLACEHOLDER.lastIndex = start;
    return PLACEHOLDER.test(line) ? { kind: 'placeholder', end: PLACEHOLDER.lastIndex } : { kind: 'other', end: start + 1 };
  }
  for (const [kind, re] of [
    ['word', WORD],
    ['number', NUMBER],
    ['other', OTHER],
  ] as const) {
    re.lastIndex = start;
    if (re.test(line)) return { kind, end: re.lastIndex };
  }
  // Unreachable: OTHER matches whatever the rest does not. Kept so a regex slip cannot loop forever.
  return { kind: 'other', end: start + 1 };
}

// Mirrors TargetProcess's STRING token ' ( [^'\\] | \\. )* ': a backslash always takes the next character
// with it, so `\'` does not close the string and `\\` is a pair.
function scanSingleQuoted(line: string, start: number): { kind: TokenKind; end: number } {
  let i = start + 1;
  while (i < line.length) {
    const c = line[i];
    if (c === '\\') i += 2;
    else if (c === "'") return { kind: 'string', end: i + 1 };
    else i += 1;
  }
  return { kind: 'openString', end: line.length };
}

// A regular expression runs to the first / that is neither escaped nor inside a [...] class, as in
// JavaScript; the letters right after it are its flags (checked by the parser).
function scanRegex(line: string, start: number): { kind: TokenKind; end: number } {
  let i = start + 1;
  let inClass = false;
  while (i < line.length) {
    const c = line[i];
    if (c === '\\') i += 2;
    else if (c === '[') (inClass = true), i++;
    else if (c === ']') (inClass = false), i++;
    else if (c === '/' && !inClass) {
      REGEX_FLAGS.lastIndex = i + 1;
      REGEX_FLAGS.test(line);
      return { kind: 'regex', end: REGEX_FLAGS.lastIndex };
    } else i++;
  }
  return { kind: 'openRegex', end: line.length };
}

function scanDoubleQuoted(line: string, start: number): number {
  let i = start + 1;
  while (i < line.length) {
    const c = line[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else i += 1;
  }
  return line.length;
}

/** Lowercases ASCII letters only, so look-alikes such as the Kelvin sign never pass for a keyword. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}
