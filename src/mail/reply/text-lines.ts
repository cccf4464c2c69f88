// A plain-text body as the lines the splitter classifies. Each keeps what was written, for the reply and
// the removed part, and a prepared form to classify: quote prefixes normalised ("Richard>", "|" become
// ">"), mailto: links that HTML conversion printed taken out, the content of enclosed quotes (">>> Bob >>>" … "<<< Bob <<<") marked quoted, a quote header
// that a client wrapped over lines rejoined, PGP armour and a trailing unsubscribe line set aside. The
// steps are discourse/email_reply_trimmer's preprocess! (MIT, Copyright (c) Discourse), done line by
// line instead of by regular expressions over the whole text, so each costs time linear in the text.
import { HEADER_JOIN_LINES_MAX, MARKER_LINE_MAX } from './limits.js';
import { isHeaderField } from './header-fields.js';
import { isAttribution, isQuoteHeader, mayCloseQuoteHeader, mayOpenQuoteHeader } from './quote-headers.js';

export interface TextLine {
  /** The line as written; for a rejoined quote header, its lines joined with '\n'. */
  original: string;
  /** What is classified. */
  text: string;
  /** Inside a ``` fenced block: text, whatever it looks like. */
  code: boolean;
  /** Set aside before classifying (PGP armour, a trailing unsubscribe line): removed, never the reply. */
  noise: boolean;
  /** Whether `text` is a quote header (quote-headers.ts), asked once here for the classifier. */
  quoteHeader: boolean;
}

export function readTextLines(body: string): TextLine[] {
  const raw = body.replace(/\r\n?/g, '\n').split('\n');
  const prefixes = raw.map(quotePrefixOf);
  const lines: TextLine[] = raw.map((line, i) => ({
    original: line,
    text: withoutMailtoLinks(prefixes[i]!.named && !namedQuoteHasNeighbour(prefixes, i) ? line : prefixes[i]!.text),
    code: false,
    noise: false,
    quoteHeader: false,
  }));
  markCodeBlocks(lines);
  markPgpArmour(lines);
  markTrailingUnsubscribe(lines);
  markEnclosedQuotes(lines);
  return joinWrappedQuoteHeaders(lines);
}

const BLANK = /[\t\p{Zs}]/u;
const LETTER = /\p{L}/u;

interface QuotePrefix {
  /** The line with its quote prefix normalised to '>'s (the line itself when it has none). */
  text: string;
  /** The prefix names who is quoted ("Richard> "): such a line must have a neighbour like it. */
  named: string | null;
}

/**
 * "Richard> text" → "> text", "| text" → "> text": the leading run of `[blank]*[letters]*[>|]` segments,
 * with a letter run before '>' dropped and '|' read as '>'. A letter run counts only with a space or
 * the line's end after its '>' ("Settings>Privacy>Export" is a menu path), and '|' only on a line
 * that does not end in '|' too (a table row; a lone '|' is an empty quoted line). Only the first MARKER_LINE_MAX characters are looked at.
 */
function quotePrefixOf(line: string): QuotePrefix {
  const head = line.length > MARKER_LINE_MAX ? line.slice(0, MARKER_LINE_MAX) : line;
  const trimmed = head.trim();
  const tableRow = trimmed.length > 1 && trimmed.endsWith('|');
  let out = '';
  let at = 0;
  let named: string | null = null;
  for (;;) {
    let letters = at;
    while (letters < head.length && BLANK.test(head[letters]!)) letters += 1;
    let mark = letters;
    while (mark < head.length && LETTER.test(head[mark]!)) mark += 1;
    const ch = head[mark];
    if (ch !== '>' && ch !== '|') break;
    if (ch === '|' && tableRow) break;
    if (ch === '>' && mark > letters) {
      const after = head[mark + 1];
      if (after !== undefined && after !== ' ' && after !== '>') break;
      named ??= head.slice(letters, mark);
    }
    out += head.slice(at, letters) + (ch === '|' ? head.slice(letters, mark) : '') + '>';
    at = mark + 1;
  }
  return { text: at === 0 ? line : out + line.slice(at), named };
}

/** Whether the line before or after a "Name> " line is quoted under the same name: one such line is a sentence. */
function namedQuoteHasNeighbour(prefixes: readonly QuotePrefix[], i: number): boolean {
  const name = prefixes[i]!.named;
  return prefixes[i - 1]?.named === name || prefixes[i + 1]?.named === name;
}

/**
 * Text made from HTML by html-to-text (mailparser does so for a mail without a text part) prints a
 * mail link's address after its text: `"Bob" <bob@example.com [bob@example.com]>:`, or with "mailto:".
 * For classifying, the bracketed address goes, so the line reads as the quote header it is.
 */
function withoutMailtoLinks(line: string): string {
  if (line.length > MARKER_LINE_MAX || !line.includes('@') || !line.includes(' [')) return line;
  return line.replace(/ \[(?:mailto:)?[^\]\s@]+@[^\]\s]+\]/g, '');
}

const FENCE_OPEN = /^```\w*$/;

/** Lines from an opening ``` to the next closing ``` (both included) are code; an unclosed fence is not. */
function markCodeBlocks(lines: TextLine[]): void {
  const nextClose = nextIndexWhere(lines, (line) => line.original === '```');
  for (let i = 0; i < lines.length; i += 1) {
    if (!FENCE_OPEN.test(lines[i]!.original)) continue;
    const close = nextClose[i + 1] ?? -1;
    if (close < 0) continue;
    for (let j = i; j <= close; j += 1) lines[j]!.code = true;
    i = close;
  }
}

/** For each index, the first index at or after it whose line satisfies `test`, or -1. */
function nextIndexWhere(lines: TextLine[], test: (line: TextLine) => boolean): number[] {
  const next = new Array<number>(lines.length + 1).fill(-1);
  for (let i = lines.length - 1; i >= 0; i -= 1) next[i] = test(lines[i]!) ? i : next[i + 1]!;
  return next;
}

function isBlankLine(line: TextLine): boolean {
  return line.original.trim() === '';
}

/** "-----BEGIN PGP SIGNED MESSAGE-----" with its "Hash:" line at the top, and signature blocks. */
function markPgpArmour(lines: TextLine[]): void {
  let first = 0;
  while (first < lines.length && isBlankLine(lines[first]!)) first += 1;
  if (lines[first]?.original.trim() === '-----BEGIN PGP SIGNED MESSAGE-----') {
    lines[first]!.noise = true;
    let i = first + 1;
    if (/^Hash: \w+$/.test(lines[i]?.original.trim() ?? '')) lines[i++]!.noise = true;
    while (i < lines.length && isBlankLine(lines[i]!)) lines[i++]!.noise = true;
  }
  const nextEnd = nextIndexWhere(lines, (line) => line.original.trim() === '-----END PGP SIGNATURE-----');
  for (let i = 0; i < lines.length; i += 1) {
    if (lines[i]!.original.trim() !== '-----BEGIN PGP SIGNATURE-----' || lines[i]!.code) continue;
    const end = nextEnd[i]!;
    if (end < 0) break;
    for (let j = i; j <= end; j += 1) lines[j]!.noise = true;
    i = end;
  }
}

const UNSUBSCRIBE = /^Unsubscribe: .+@./iu;

/** List footers: "Unsubscribe: <mailto:…@…>" as the last line, or followed by one line with a link. */
function markTrailingUnsubscribe(lines: TextLine[]): void {
  let last = lines.length - 1;
  while (last >= 0 && isBlankLine(lines[last]!)) last -= 1;
  if (last < 0) return;
  const lastLine = lines[last]!;
  if (UNSUBSCRIBE.test(lastLine.original.slice(0, MARKER_LINE_MAX))) {
    lastLine.noise = true;
  } else if (last > 0 && /.http:./u.test(lastLine.original) && UNSUBSCRIBE.test(lines[last - 1]!.original.slice(0, MARKER_LINE_MAX))) {
    lastLine.noise = true;
    lines[last - 1]!.noise = true;
  }
}

const ENCLOSED_OPEN = /^>>> ?(.+?) ?>>>$/u;
const ARROWS_OPEN = /^>{4,}[\t\p{Zs}]*$/u;
const ARROWS_CLOSE = /^<{4,}[\t\p{Zs}]*$/u;

/**
 * ">>> Bob >>>" … "<<< Bob <<<" and ">>>>" … "<<<<" enclose a quote: its lines are classified as quoted.
 * Each opener is paired with the first matching closer after it, found through an index, not a search.
 */
function markEnclosedQuotes(lines: TextLine[]): void {
  const closers = new Map<string, number[]>();
  const arrowClosers: number[] = [];
  lines.forEach((line, i) => {
    const text = line.original;
    if (text.length > MARKER_LINE_MAX) return;
    const named = /^<<< ?(.+?) ?<<<$/u.exec(text);
    if (named) {
      const list = closers.get(named[1]!);
      if (list) list.push(i);
      else closers.set(named[1]!, [i]);
    }
    if (ARROWS_CLOSE.test(text)) arrowClosers.push(i);
  });
  if (closers.size === 0 && arrowClosers.length === 0) return;
  const cursor = new Map<string, number>();
  let arrowCursor = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const text = lines[i]!.original;
    if (text.length > MARKER_LINE_MAX || lines[i]!.code) continue;
    let close = -1;
    const named = ENCLOSED_OPEN.exec(text);
    if (named) {
      const list = closers.get(named[1]!) ?? [];
      let at = cursor.get(named[1]!) ?? 0;
      while (at < list.length && list[at]! <= i) at += 1;
      cursor.set(named[1]!, at);
      close = list[at] ?? -1;
    } else if (ARROWS_OPEN.test(text)) {
      while (arrowCursor < arrowClosers.length && arrowClosers[arrowCursor]! <= i) arrowCursor += 1;
      close = arrowClosers[arrowCursor] ?? -1;
    }
    if (close < 0) continue;
    for (let j = i; j <= close; j += 1) lines[j]!.text = `> ${lines[j]!.text}`;
    i = close;
  }
}

/**
 * Gmail and others wrap a long attribution: "On Mon, Feb 1, 2016 at 6:32 PM, Jeff <info@x.org>" /
 * "wrote:". A line that may open a quote header is tried joined with up to HEADER_JOIN_LINES_MAX - 1
 * following lines (blank ones skipped, as the trimmer's `\n+[[:space:]]*` → " " does). The shortest join
 * that reads as an attribution wins; failing that, and only for a line that is no header by itself and
 * whose address is what wrapped, the shortest join that reads as any quote header. Header fields
 * ("Sent: …", "To: …") are never joined: a block of them is judged as a block. A following line that
 * may open a header of its own (a date or "On" at its start) ends the try, and so does a line that
 * ends a sentence, so text above a header is never swallowed into it. A join is tested only when its last line could end a header: at
 * most 2 × (HEADER_JOIN_LINES_MAX - 1) tests of at most MARKER_LINE_MAX characters per line, so the
 * work is linear and a rejoin does not depend on how much was written above it.
 */
function joinWrappedQuoteHeaders(lines: TextLine[]): TextLine[] {
  // Each line is asked at most once whether it is a header by itself, however many joins look at it.
  const headerAlone: Array<boolean | undefined> = [];
  const isHeaderAlone = (i: number): boolean => (headerAlone[i] ??= isQuoteHeader(lines[i]!.text));

  /** Whether line `i` ends with '<' or the next non-blank line starts with it. */
  const addressWrapped = (i: number): boolean => {
    if (lines[i]!.text.trimEnd().endsWith('<')) return true;
    const next = lines.slice(i + 1, i + HEADER_JOIN_LINES_MAX).find((line) => !isBlankLine(line));
    return next !== undefined && next.text.trimStart().startsWith('<');
  };
  /** The fewest following lines that, joined to line `i`, pass `test`; 0 when none do. */
  const joinLength = (i: number, test: (text: string) => boolean): number => {
    let joined = lines[i]!.text.trimEnd();
    for (let k = 1; k < HEADER_JOIN_LINES_MAX && i + k < lines.length; k += 1) {
      const next = lines[i + k]!;
      // A line that may open a header of its own is no continuation: two openings make no header
      // (and a pasted log of dated lines costs one look per line).
      if (next.code || next.noise || mayOpenQuoteHeader(next.text) || isHeaderField(next.text)) return 0;
      const piece = next.text.trim();
      if (piece === '') continue;
      // A sentence ended on the line before: what follows is not the rest of a header.
      if (/[.!?]$/u.test(joined)) return 0;
      joined = `${joined} ${piece}`;
      if (joined.length > MARKER_LINE_MAX) return 0;
      if (!mayCloseQuoteHeader(piece)) continue;
      if (test(joined)) return k;
    }
    return 0;
  };

  const out: TextLine[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    out.push(line);
    line.quoteHeader = !line.code && isHeaderAlone(i);
    if (line.code || line.noise || isBlankLine(line) || !mayOpenQuoteHeader(line.text) || isAttribution(line.text) || isHeaderField(line.text)) continue;
    let k = joinLength(i, isAttribution);
    // Other headers ("2016-10-24 15:36 GMT+02:00 Foo <" / "foo@bar.com>:") wrap only at the address.
    if (k === 0 && !isHeaderAlone(i) && addressWrapped(i)) k = joinLength(i, isQuoteHeader);
    if (k === 0) continue;
    const group = lines.slice(i, i + k + 1);
    out[out.length - 1] = {
      original: group.map((part) => part.original).join('\n'),
      text: group.map((part) => part.text.trim()).filter((text) => text !== '').join(' '),
      code: false,
      noise: false,
      quoteHeader: true,
    };
    i += k;
  }
  return out;
}
