// "did you mean ...?" for misspelt keyword phrases. Compares the words found in the rule with each phrase
// that was expected at that point, by edit distance over the lowercased text.

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions ("comapny" is one edit). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, prevPrev[j - 2]! + 1);
      }
      cur.push(d);
    }
    prevPrev = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

const MOST_EDITS = 3;

// Short words get little slack so that e.g. "an" is not taken for "and".
function allowedEdits(length: number): number {
  if (length <= 3) return 0;
  if (length <= 6) return 1;
  if (length <= 12) return 2;
  return MOST_EDITS;
}

/**
 * The phrase among `phrases` closest to the start of `found` (lowercased words, as many as were
 * consecutive words in the source), or undefined when none is close enough. The found words are compared
 * with the whole phrase (catches missing or extra words) and with the phrase's first words (catches a
 * misspelt phrase cut short by an id or a string).
 *
 * An edit changes the length by one at most, so texts whose length is too far from a target's are never
 * compared: the work stays bounded by the phrases' lengths however long the found words are.
 */
export function closestPhrase(
  found: readonly string[],
  phrases: readonly (readonly string[])[],
): readonly string[] | undefined {
  let best: readonly string[] | undefined;
  let bestDistance = Infinity;
  for (const phrase of phrases) {
    const whole = phrase.join(' ');
    let text = '';
    for (let n = 1; n <= Math.min(found.length, phrase.length + 1); n++) {
      const word = found[n - 1]!;
      // Texts only grow with n, and no target is longer than the whole phrase.
      if ((n === 1 ? 0 : text.length + 1) + word.length > whole.length + MOST_EDITS) break;
      text = n === 1 ? word : `${text} ${word}`;
      const candidates: string[] = [whole];
      if (n < phrase.length && n === found.length) candidates.push(phrase.slice(0, n).join(' '));
      for (const target of candidates) {
        if (Math.abs(text.length - target.length) > allowedEdits(target.length)) continue;
        const d = editDistance(text, target);
        if (d > 0 && d <= allowedEdits(target.length) && d < bestDistance) {
          best = phrase;
          bestDistance = d;
        }
      }
    }
  }
  return best;
}
