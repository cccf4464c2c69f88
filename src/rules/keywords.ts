// The quoted keyword list of `subject contains '...'`: reading it the way TargetProcess did where that was
// meaningful, refusing what made TargetProcess match every subject, and writing it back.

import { clip } from './clip.js';

export type KeywordListResult =
  | { ok: true; keywords: string[] }
  | {
      ok: false;
      /** 0-based offsets into the line */
      start: number;
      end: number;
      message: string;
      suggestion?: string;
    };

interface Entry {
  raw: string;
  start: number;
}

/**
 * `tokenText` is a closed single-quoted string token, `tokenStart` its offset in the line.
 *
 * Splitting happens on every comma, before unescaping, exactly as TargetProcess did (its `\'` replacement
 * cannot create or remove commas, so the order does not change the result). Entries with no characters at
 * all are dropped like TargetProcess's RemoveEmptyEntries, which keeps `'Jira,'` working. Entries of
 * whitespace only are refused: TargetProcess trimmed them to "" and "" is found in every subject.
 */
export function parseKeywordList(tokenText: string, tokenStart: number): KeywordListResult {
  const content = tokenText.slice(1, -1);
  const entries: Entry[] = [];
  let from = 0;
  for (;;) {
    const comma = content.indexOf(',', from);
    const end = comma === -1 ? content.length : comma;
    entries.push({ raw: content.slice(from, end), start: tokenStart + 1 + from });
    if (comma === -1) break;
    from = comma + 1;
  }

  const blank = entries.find((e) => e.raw.length > 0 && e.raw.trim() === '');
  const kept = entries.filter((e) => e.raw.trim() !== '');
  if (blank) {
    const fixed = kept.map((e) => e.raw.trim()).join(', ');
    return {
      ok: false,
      start: blank.start,
      end: blank.start + blank.raw.length,
      message: 'empty keyword: a keyword of only spaces would match every subject',
      ...(fixed ? { suggestion: `did you mean '${clip(fixed)}'?` } : {}),
    };
  }
  if (kept.length === 0) {
    return {
      ok: false,
      start: tokenStart,
      end: tokenStart + tokenText.length,
      message: 'empty keyword list: write at least one keyword between the quotes',
    };
  }
  return { ok: true, keywords: kept.map((e) => unescape(e.raw).trim()) };
}

// Only \' means something; every other backslash pair stays as written (so `\\` is two characters), as in
// TargetProcess. Pairs are taken left to right, matching how the lexer read them.
export function unescape(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1];
      out += next === "'" ? "'" : c + next;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

/** Writes keywords as a single-quoted list that `parseKeywordList` reads back to the same keywords. */
export function quoteKeywords(keywords: readonly string[]): string {
  let content = keywords.map((k) => k.replace(/'/g, "\\'")).join(', ');
  // An odd run of backslashes at the end would escape the closing quote. A trailing comma is dropped when
  // reading, so it keeps the backslash literal without changing the list.
  const trailing = /\\+$/.exec(content)?.[0].length ?? 0;
  if (trailing % 2 === 1) content += ',';
  return `'${content}'`;
}

/** Writes one text as a single-quoted string that reads back to the same text. */
export function quoteText(text: string): string {
  return `'${text.replace(/'/g, "\\'")}'`;
}
