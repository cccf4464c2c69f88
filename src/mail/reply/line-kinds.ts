// Every line of a mail gets one letter saying what it is; the splitter then cuts by the shape of the
// letter string, never by reading the mail again. This is discourse/email_reply_trimmer's design (MIT,
// Copyright (c) Discourse): classifying is linear in the lines, and the string is short.
import { isHeaderField } from './header-fields.js';
import { MARKER_LINE_MAX } from './limits.js';
import { isDeviceSignature } from './signatures.js';

/**
 * e empty · d delimiter ("-- ", "____", "======"; whether a run of dashes really delimits is settled
 * by what follows it, see delimiters.ts) · s signature ("Sent from my iPhone", "-Name") ·
 * b quote header ("On … wrote:", "-----Original Message-----") · h header field ("From: …", "Sent: …") ·
 * q quoted ("> …") · t text
 */
export type LineKind = 'e' | 'd' | 's' | 'b' | 'h' | 'q' | 't';

/** Blank, also with the zero-width characters HTML conversion and some clients leave. */
const EMPTY = /^[\t\p{Zs}\u200b\u200c\u200d\u2060\ufeff]*$/u;
const DELIMITER = /^[\t\p{Zs}]*[-_,=+~#*ᐧ—]+[\t\p{Zs}]*$/u;

/**
 * A delimiter line of one or two characters is a list bullet, a typo or a heading mark ("*", "-", "#"),
 * except the signature separator "-- " (clients often drop its space) and "ᐧ", the mark Gmail's
 * signature trackers put above a signature: no one writes it.
 */
function isDelimiter(text: string): boolean {
  if (!DELIMITER.test(text)) return false;
  const mark = text.trim();
  return mark.length > 2 || mark === '--' || mark === 'ᐧ';
}
const QUOTED = /^[\t\p{Zs}]*>/u;

/** Old list software: `>>>>> "Bob" == Bob Smith <bob@example.com> writes:`. */
function isAliasQuoteHeader(line: string): boolean {
  return line.includes('>>>>> "') && line.includes('" == ') && line.trimEnd().endsWith('writes:');
}

/**
 * The kind of one line. `text` is the line as prepared for classification (quote prefixes normalised,
 * a wrapped header rejoined), `quoteHeader` whether it is a quote header (asked while preparing),
 * `dashSignOff` whether it is a "-Name" sign-off where it stands (signatures.ts isDashSignOffAt);
 * lines inside a ``` block are text whatever they look like.
 */
export function kindOf(text: string, code: boolean, quoteHeader: boolean, dashSignOff = false): LineKind {
  if (code) return 't';
  if (EMPTY.test(text)) return 'e';
  if (text.length > MARKER_LINE_MAX) return QUOTED.test(text.slice(0, MARKER_LINE_MAX)) ? 'q' : 't';
  // A quoted line can only be a quote header ("> On … wrote:") besides quoted: no signature, delimiter
  // or header field pattern allows a leading '>'. Most lines of a long mail are quoted.
  if (QUOTED.test(text)) return quoteHeader || isAliasQuoteHeader(text) ? 'b' : 'q';
  if (isDelimiter(text)) return 'd';
  if (dashSignOff || isDeviceSignature(text)) return 's';
  if (quoteHeader || isAliasQuoteHeader(text)) return 'b';
  if (isHeaderField(text)) return 'h';
  return 't';
}
