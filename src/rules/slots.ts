// Reading the value of one slot of a phrase (pattern.ts) at the cursor, with an error at line:column
// naming what was expected when it is not there; and writing a value back in canonical form.

import { clip } from './clip.js';
import { SIZE_UNITS } from './conditions.js';
import { Cursor, MAX_ID } from './cursor.js';
import { ParseFailure, describeToken } from './errors.js';
import { quoteKeywords, quoteText, unescape } from './keywords.js';
import { asciiLower, type Token } from './lexer.js';
import type { Slot } from './pattern.js';
import { compileRegex } from './regex.js';
import { closestPhrase } from './suggest.js';
import type { ArgValue, ProjectRef, RegexValue, SizeValue } from './types.js';

/** Words that end a clause: never taken for a project code. */
const NOT_A_CODE = new Set(['and', 'or', 'then', 'with', 'not', 'when']);

/**
 * Why `code` cannot name a project in rules, or null when it can. The tracker checks codes with this
 * too, so every code it accepts can be written after `in project`.
 */
export function projectCodeProblem(code: string): string | null {
  if (!PROJECT_CODE.test(code)) return '2 to 20 letters, digits or _, starting with a letter';
  if (NOT_A_CODE.has(asciiLower(code))) return `rules read '${code}' as the word '${asciiLower(code)}'`;
  return null;
}

export const PROJECT_CODE = /^[A-Za-z][A-Za-z0-9_]{1,19}$/;

export interface SlotOptions {
  /** Actions may name a regex capture: `in project {code}`, `add tag '{code}'`. */
  inAction: boolean;
}

export function readSlot(c: Cursor, slot: Slot, options: SlotOptions): ArgValue {
  switch (slot.type) {
    case 'keywords':
      return c.expectKeywords();
    case 'text':
      return readText(c, slot.what);
    case 'regex':
      return readRegex(c);
    case 'project':
      return readProject(c, options);
    case 'team':
      return c.expectId('team');
    case 'number':
      return readNumber(c, slot.what);
    case 'size':
      return readSize(c);
    case 'choice':
      return readChoice(c, slot.options);
  }
}

function fail(c: Cursor, error: { expected: string[]; message: string; suggestion?: string | undefined }, tokens = 1): never {
  const { suggestion, ...rest } = error;
  throw new ParseFailure({ ...c.tokenSpan(c.pos, tokens), ...rest, ...(suggestion ? { suggestion } : {}) });
}

function readText(c: Cursor, what: string): string {
  const token = c.peek();
  if (token?.kind === 'openString') {
    fail(c, {
      expected: ["a closing '"],
      message: `unterminated ${what}: the closing ' is missing`,
      ...(token.text.includes("\\'") ? { suggestion: "\\' is a quote inside the text, not its end" } : {}),
    });
  }
  if (token?.kind === 'dqString') {
    const closed = token.text.length > 1 && token.text.endsWith('"');
    const inner = token.text.slice(1, closed ? -1 : undefined).replace(/\\"/g, '"');
    fail(c, {
      expected: [`the ${what} in single quotes`],
      message: `the ${what} must be in single quotes, not double quotes`,
      ...(closed ? { suggestion: `did you mean ${clip(quoteText(inner))}?` } : {}),
    });
  }
  if (token?.kind !== 'string') {
    fail(c, { expected: [`the ${what} in single quotes`], message: `expected the ${what} in single quotes but found ${describeToken(token)}` });
  }
  c.requireSpace(token);
  const value = unescape(token.text.slice(1, -1));
  if (value.trim() === '') fail(c, { expected: [`a ${what}`], message: `empty ${what}: write it between the quotes` });
  c.pos++;
  return value;
}

function readRegex(c: Cursor): RegexValue {
  const token = c.peek();
  if (token?.kind === 'openRegex') {
    fail(c, { expected: ['a closing /'], message: 'unterminated regular expression: the closing / is missing', suggestion: 'a / inside the expression is written \\/' });
  }
  if (token?.kind !== 'regex') {
    fail(c, {
      expected: ['a regular expression between slashes'],
      message: `expected a regular expression between slashes (/…/) but found ${describeToken(token)}`,
      ...(token?.kind === 'string' ? { suggestion: `did you mean /${clip(token.text.slice(1, -1))}/?` } : {}),
    });
  }
  c.requireSpace(token);
  const close = token.text.lastIndexOf('/');
  const value = { source: token.text.slice(1, close), flags: token.text.slice(close + 1) };
  const compiled = compileRegex(value);
  if (!compiled.ok) fail(c, { expected: ['a valid regular expression'], message: compiled.message });
  c.pos++;
  return value;
}

function readProject(c: Cursor, options: SlotOptions): ProjectRef {
  const token = c.peek();
  if (token?.kind === 'placeholder') {
    if (!options.inAction) {
      fail(c, { expected: ['a project id or code'], message: 'a {capture} names a project only in an action, after the condition that captures it' });
    }
    c.requireSpace(token);
    c.pos++;
    return { capture: token.text.slice(1, -1) };
  }
  if (token?.kind === 'word') {
    // A code may hold digits (`ACME2`), which the lexer reads as a separate token.
    let end = c.pos + 1;
    while (c.tokens[end] && !c.tokens[end]!.spaceBefore && (c.tokens[end]!.kind === 'word' || c.tokens[end]!.kind === 'number')) end++;
    const code = c.tokens.slice(c.pos, end).map((t) => t.text).join('');
    // The whole code is compared with the words that end a clause: `or` is not a code, `OR1` is.
    if (!NOT_A_CODE.has(asciiLower(code))) {
      c.requireSpace(token);
      if (!PROJECT_CODE.test(code)) {
        fail(c, {
          expected: ['a project code'],
          message: `'${clip(code)}' is not a project code: a code is 2 to 20 letters, digits or _, starting with a letter`,
        }, end - c.pos);
      }
      c.pos = end;
      return { code };
    }
  }
  const token2 = c.peek();
  if (token2?.kind !== 'number') {
    if (token2?.kind === 'openString') c.failUnterminated(token2);
    fail(c, {
      expected: ['a project id or code'],
      message: `expected a project (its id or code${options.inAction ? ', or a {capture}' : ''}) but found ${describeToken(token2)}`,
    });
  }
  return { id: c.expectId('project') };
}

function readNumber(c: Cursor, what: string): number {
  const token = c.peek();
  if (token?.kind !== 'number') fail(c, { expected: [`a ${what}`], message: `expected a ${what} (digits) but found ${describeToken(token)}` });
  c.requireSpace(token);
  let text = token.text;
  let used = 1;
  const dot = c.tokens[c.pos + 1];
  const fraction = c.tokens[c.pos + 2];
  if (dot?.text === '.' && !dot.spaceBefore && fraction?.kind === 'number' && !fraction.spaceBefore) {
    text += `.${fraction.text}`;
    used = 3;
  }
  const value = Number(text);
  if (!Number.isSafeInteger(Math.trunc(value)) || value > MAX_ID) {
    fail(c, { expected: [`a ${what} up to ${MAX_ID}`], message: `${what} ${clip(text)} is too large` }, used);
  }
  c.pos += used;
  return value;
}

const UNIT_NAMES = Object.keys(SIZE_UNITS) as SizeValue['unit'][];

function readSize(c: Cursor): SizeValue {
  const amount = readNumber(c, 'size');
  const token = c.peek();
  const unit = token?.kind === 'word' ? UNIT_NAMES.find((u) => asciiLower(u) === asciiLower(token.text)) : undefined;
  if (!unit) {
    const close = token?.kind === 'word' ? closestPhrase([asciiLower(token.text)], UNIT_NAMES.map((u) => [asciiLower(u)])) : undefined;
    fail(c, {
      expected: UNIT_NAMES.map((u) => `'${u}'`),
      message: `expected a unit (${UNIT_NAMES.join(', ')}) after the size but found ${describeToken(token)}`,
      ...(close ? { suggestion: `did you mean '${UNIT_NAMES.find((u) => asciiLower(u) === close[0])}'?` } : {}),
    });
  }
  c.pos++; // `5MB` without a space reads as well as `5 MB`
  return { amount, unit, bytes: Math.round(amount * SIZE_UNITS[unit]) };
}

function readChoice(c: Cursor, options: readonly string[]): string {
  const token: Token | undefined = c.peek();
  const word = token?.kind === 'word' ? asciiLower(token.text) : undefined;
  const expected = options.map((o) => `'${o}'`);
  if (word === undefined || !options.includes(word)) {
    const close = word ? closestPhrase([word], options.map((o) => [o])) : undefined;
    fail(c, {
      expected,
      message: `expected ${expected.slice(0, -1).join(', ')} or ${expected.at(-1)} but found ${describeToken(token)}`,
      ...(close ? { suggestion: `did you mean '${close[0]}'?` } : {}),
    });
  }
  c.requireSpace(token!);
  c.pos++;
  return word;
}

/** A slot's value in canonical form, as the formatter prints it. */
export function slotText(slot: Slot, value: ArgValue): string {
  switch (slot.type) {
    case 'keywords':
      return quoteKeywords(value as string[]);
    case 'text':
      return quoteText(value as string);
    case 'regex': {
      const r = value as RegexValue;
      return `/${r.source}/${r.flags}`;
    }
    case 'project': {
      const ref = value as ProjectRef;
      return 'id' in ref ? String(ref.id) : 'code' in ref ? ref.code : `{${ref.capture}}`;
    }
    case 'size': {
      const s = value as SizeValue;
      return `${s.amount} ${s.unit}`;
    }
    default:
      return String(value);
  }
}
