// The top-level header fields, in the order they were written. Built from mailparser's raw header
// lines rather than its parsed Map, because the Map merges repeated headers, keeps only the first
// of some, reshapes others (List-*, priorities) and turns an unparsable Date into "now"; rules and
// the classifier want what the sender wrote, and raw 8-bit headers need a better guess than the
// Map's "UTF-8 or U+FFFD".
import libmime from 'libmime';
import type { HeaderLines } from 'mailparser';
import { eightBitToText } from './eight-bit.js';
import type { Header } from './message.js';

export interface HeaderField {
  /** Lowercase name, as mailparser gives it. */
  name: string;
  /** Unfolded and turned into text, RFC 2047 encoded words still encoded (for structured parsing). */
  raw: string;
  /** `raw` with encoded words decoded: what Message.headers carries. */
  value: string;
}

export function readHeaderFields(lines: HeaderLines | false | null | undefined): HeaderField[] {
  if (!lines) return [];
  const unfolded = lines
    // mailsplit reports an empty head, or a stray line without a colon, as a header with an odd
    // or empty key; neither is a header field (RFC 5322 field names are printable ASCII).
    .filter(({ key, line }) => /^[!-9;-~]+$/.test(key) && line.includes(':'))
    .map(({ key, line }) => ({ name: key, binary: unfold(line) }));
  // Raw 8-bit header bytes carry no charset label; the body's charset is the sender's best hint
  // (eight-bit.ts has the rule).
  const contentType = unfolded.find((h) => h.name === 'content-type');
  const hint = contentType ? libmime.parseHeaderValue(contentType.binary).params['charset'] : undefined;
  return unfolded.map(({ name, binary }) => {
    const raw = eightBitToText(binary, hint).trim();
    // A header value is one line: encoded words may decode to line breaks or other controls.
    return { name, raw, value: decodeWords(raw).replace(/[\u0000-\u0008\u000a-\u001f\u007f]+/g, ' ').trim() };
  });
}

export function toHeaders(fields: readonly HeaderField[]): Header[] {
  return fields.map(({ name, value }) => ({ name, value }));
}

/** The first value of a header (names are lowercase), or null when the message has none. */
export function headerValue(headers: readonly Header[], name: string): string | null {
  return headers.find((h) => h.name === name)?.value ?? null;
}

export function headerValues(headers: readonly Header[], name: string): string[] {
  return headers.filter((h) => h.name === name).map((h) => h.value);
}

/** The value part of a raw header line, unfolded (RFC 5322 §2.2.3) into one line. */
export function unfold(line: string): string {
  const colon = line.indexOf(':');
  const value = colon >= 0 ? line.slice(colon + 1) : '';
  // Drop the line break before folding whitespace; a stray bare CR or LF elsewhere becomes a space.
  return value.replace(/(?:\r\n|\r|\n)(?=[ \t])/g, '').replace(/\r\n|\r|\n/g, ' ');
}

function decodeWords(text: string): string {
  try {
    return libmime.decodeWords(text);
  } catch {
    // A malformed encoded word is kept as written rather than losing the header.
    return text;
  }
}
