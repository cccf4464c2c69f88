// Small linear helpers the line matchers share. JavaScript's \b and \w know only ASCII, so "écrit" or
// "написал" need boundaries of their own; whitespace in mail includes no-break spaces (U+00A0) that
// HTML conversion leaves behind.

/** One letter, digit or underscore in any script: what a "word character" means in mail. */
const WORD_CHAR = /[\p{L}\p{N}_]/u;

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch);
}

/** Collapses every run of whitespace to one ASCII space, so that phrases compare whatever the spacing. */
export function squeezeSpaces(text: string): string {
  return text.replace(/\s+/gu, ' ');
}

/** Whether `word` (lower case, may hold spaces) occurs in `text` (lower case) as a whole word. */
export function containsWord(text: string, word: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(word, from);
    if (at < 0) return false;
    if (!isWordChar(text[at - 1]) && !isWordChar(text[at + word.length])) return true;
    from = at + 1;
  }
}

/** The text without trailing characters from `chars` (a plain set of characters, not a pattern). */
export function trimEndChars(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && (chars.includes(text[end - 1]!) || /\p{Zs}/u.test(text[end - 1]!))) end -= 1;
  return text.slice(0, end);
}

/**
 * Whether `text` holds something shaped like a mail address: a local part, '@', and a domain with a
 * dot and a top-level part of two or more word characters. Scans each '@' once, so it stays linear
 * where a pattern such as /[\w.+-]+@[\w.-]+\.\w{2,}/ backtracks.
 */
export function hasMailAddress(text: string): boolean {
  let at = text.indexOf('@');
  while (at >= 0) {
    const before = text[at - 1];
    if (before !== undefined && /[\w.+-]/.test(before)) {
      let end = at + 1;
      while (end < text.length && /[\w.-]/.test(text[end]!)) end += 1;
      if (/[\w-]\.\w{2}/.test(text.slice(at + 1, end))) return true;
      at = text.indexOf('@', end);
    } else {
      at = text.indexOf('@', at + 1);
    }
  }
  return false;
}
