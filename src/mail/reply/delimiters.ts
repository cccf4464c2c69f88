// Which delimiter lines really end what was written. The trimmer cuts at any line of dashes, equals
// signs or underscores; people also draw those as heading underlines ("Steps\n-----"), markdown rules
// ("---") and separators between two parts of one reply. A run counts here only where it stands
// before what a delimiter separates: a signature, a quote or header block, or a short footer.
import type { LineKind } from './line-kinds.js';

/** A rule this long or longer ("_____", "-----") may stand above a footer; shorter ones ("---") never do. */
const FOOTER_RULE_MIN = 5;
/** A footer under a rule (a list's, a signature) has at most this many lines, each at most FOOTER_LINE_MAX. */
const FOOTER_LINES_MAX = 6;
const FOOTER_LINE_MAX = 100;

/** The kinds with each 'd' that delimits nothing turned into 't'. `texts` are the classified lines. */
export function settleDelimiters(kinds: readonly LineKind[], texts: readonly string[]): LineKind[] {
  const out = [...kinds];
  // From the end: the next non-empty kind, and the shape of everything after each line.
  let next: LineKind | undefined;
  let linesAfter = 0;
  let longestAfter = 0;
  for (let i = out.length - 1; i >= 0; i -= 1) {
    const kind = out[i]!;
    if (kind === 'd' && !delimits(texts[i]!.trim(), next, out[i - 1], linesAfter, longestAfter)) out[i] = 't';
    if (out[i] !== 'e') {
      next = out[i];
      linesAfter += 1;
      longestAfter = Math.max(longestAfter, texts[i]!.length);
    }
  }
  return out;
}

function delimits(mark: string, next: LineKind | undefined, above: LineKind | undefined, linesAfter: number, longestAfter: number): boolean {
  // The signature separator and Gmail's tracker mark always do, and so does a run before nothing.
  if (mark === '--' || mark === 'ᐧ' || next === undefined) return true;
  if (next !== 't') return true;
  // Right under a line of text it underlines a heading (setext markdown, plain-text habit).
  if (above !== undefined && above !== 'e') return false;
  return mark.length >= FOOTER_RULE_MIN && linesAfter <= FOOTER_LINES_MAX && longestAfter <= FOOTER_LINE_MAX;
}
