// Which lines are the reply, decided by the shape of the kind string alone (one letter a line, see
// line-kinds.ts). The steps and their order are discourse/email_reply_trimmer's trim (MIT, Copyright (c)
// Discourse); each regular expression of the original is named in a comment and done as a scan, because
// several of them (`t[et]*$`, `te*b[eqbh]*[te]*$`) backtrack quadratically on a long string of one letter
// and a mail may have hundreds of thousands of lines.
import type { LineKind } from './line-kinds.js';

export interface KindCut {
  /** Positions (in the kind list given) of the lines that are the reply, in order. */
  kept: number[];
  /** What was cut and by which signal, in the order the steps ran; empty when nothing was. */
  notes: string[];
}

/** What the cut may ask of a line (by its position in the kinds given) beyond its kind. */
export interface LineFacts {
  /** A header field that shows it is a mail's: a subject label or an address (header-fields.ts). */
  mailHeader(position: number): boolean;
  /** A header field whose label is a date's ("Sent:", "Date:", "Gesendet:") and holds one. */
  dateField(position: number): boolean;
  /** Shaped like a footer or signature line: a link, an address, a few words ending no sentence. */
  footer(position: number): boolean;
}

const NO_FACTS: LineFacts = { mailHeader: () => false, dateField: () => false, footer: () => false };

/** Under a quote, a tail of at most this many footer-shaped lines is the quoted mail's footer. */
const FOOTER_TAIL_MAX = 6;

/** The working pattern: the kinds still in play and the position each came from. */
class Pattern {
  constructor(
    public kinds: LineKind[],
    public ids: number[],
  ) {}

  get length(): number {
    return this.kinds.length;
  }

  /** Keeps positions [0, end). */
  keepBefore(end: number): void {
    this.kinds = this.kinds.slice(0, end);
    this.ids = this.ids.slice(0, end);
  }

  /** Removes positions [start, end). */
  remove(start: number, end: number): void {
    this.kinds.splice(start, end - start);
    this.ids.splice(start, end - start);
  }

  /** Keeps positions [start, length). */
  keepFrom(start: number): void {
    this.kinds = this.kinds.slice(start);
    this.ids = this.ids.slice(start);
  }

  /**
   * Drops every line of `kind` that stands in a run of at least `minRun` of them (and, given
   * `runCounts`, for which it says yes); returns how many.
   */
  drop(kind: LineKind, minRun = 1, runCounts: (start: number, end: number) => boolean = () => true): number {
    if (!this.kinds.includes(kind)) return 0;
    const keep = this.kinds.map(() => true);
    for (let i = 0; i < this.kinds.length; ) {
      if (this.kinds[i] !== kind) {
        i += 1;
        continue;
      }
      let end = i;
      while (end < this.kinds.length && this.kinds[end] === kind) end += 1;
      if (end - i >= minRun && runCounts(i, end)) keep.fill(false, i, end);
      i = end;
    }
    const before = this.kinds.length;
    this.kinds = this.kinds.filter((_, i) => keep[i]);
    this.ids = this.ids.filter((_, i) => keep[i]);
    return before - this.kinds.length;
  }

  indexOf(kind: LineKind): number {
    return this.kinds.indexOf(kind);
  }

  /** Start of the longest suffix whose kinds are all in `set` (length when there is none). */
  suffixStart(set: string): number {
    let start = this.kinds.length;
    while (start > 0 && set.includes(this.kinds[start - 1]!)) start -= 1;
    return start;
  }

  /** Position of the last kind before `at` that is not in `skip`, or -1. */
  previousOutside(at: number, skip: string): number {
    let i = at - 1;
    while (i >= 0 && skip.includes(this.kinds[i]!)) i -= 1;
    return i;
  }
}

/**
 * `kinds` has one letter per line, `facts` what else the cut asks of each line (see LineFacts): header
 * blocks count only with a mail's field in them, an embedded mail's block only with a date as well,
 * and text under a quote is kept unless it is a footer.
 */
export function cutByKinds(kinds: readonly LineKind[], facts: LineFacts = NO_FACTS): KindCut {
  const notes: string[] = [];
  const p = new Pattern(settleSignatures(kinds), kinds.map((_, i) => i));
  const any = (start: number, end: number, fact: keyof LineFacts): boolean => p.ids.slice(start, end).some((id) => facts[fact](id));
  const isMailBlock = (start: number, end: number): boolean => any(start, end, 'mailHeader');
  const isEmbeddedMail = (start: number, end: number): boolean => isMailBlock(start, end) && any(start, end, 'dateField');

  // /d/: everything from the first delimiter ("-- ", "____") on is signature or quoted mail.
  const delimiter = p.indexOf('d');
  if (delimiter >= 0) {
    p.keepBefore(delimiter);
    notes.push('delimiter line');
  }

  // Signatures ("Sent from my iPhone") that end the written part.
  if (p.drop('s') > 0) notes.push('signature');

  // /^b[^t]+t[et]*$/: the reply is under the quote, and nothing but text follows it.
  if (p.kinds[0] === 'b') {
    const firstText = p.indexOf('t');
    if (firstText > 1 && p.suffixStart('et') <= firstText) {
      p.keepFrom(firstText);
      notes.push('reply below the quote');
      return done(p, notes);
    }
  }

  // /te*b[^q]*$/: a quote header with no quoted line after it (a forward, an Outlook original
  // message): the reply is the text before it.
  const lastQuote = p.kinds.lastIndexOf('q');
  for (let i = lastQuote + 1; i < p.length; i += 1) {
    if (p.kinds[i] !== 'b') continue;
    const text = p.previousOutside(i, 'e');
    if (text >= 0 && p.kinds[text] === 't') {
      p.keepBefore(text + 1);
      notes.push('quote header');
      break;
    }
  }

  // /te*b[eqbh]*([te]*)$/: a quote header, then quoted mail, then text to the end. The trimmer cuts at
  // the header when the tail has fewer than 7 text lines, taking it for a footer; but an answer written
  // under the quote (bottom posting under a greeting, "see my answer below") is as short. So the tail
  // is cut with the quote only when every line of it is footer-shaped (links, addresses, a name);
  // otherwise the header and the quoted mail go and the text above and below is the reply.
  {
    const tail = p.suffixStart('te');
    const quoted = p.previousOutside(tail, 'eqbh') + 1;
    const firstNonEmpty = firstOutside(p.kinds, quoted, tail, 'e');
    if (quoted > 0 && p.kinds[quoted - 1] === 't' && firstNonEmpty >= 0 && p.kinds[firstNonEmpty] === 'b') {
      const tailIds = p.ids.slice(tail).filter((_, i) => p.kinds[tail + i] === 't');
      if (tailIds.length <= FOOTER_TAIL_MAX && tailIds.every((id) => facts.footer(id))) {
        p.keepBefore(quoted);
        notes.push('quote header and quoted mail');
      } else {
        // The blank lines above the header stay to part the two texts; those under the quote go.
        p.remove(firstNonEmpty, firstOutside(p.kinds, tail, p.length, 'e'));
        notes.push('quote header and quoted mail above the answer under it');
      }
    }
  }

  // /t?e*[qbe]+$/: quoted lines to the end go. (Ruby keeps pattern[0..index], the matched line
  // included; when no text line opens the match, that keeps the first quoted line, so an all-quoted
  // mail gave its first line as the reply. Here it gives nothing, and the caller keeps the whole text.)
  {
    const start = p.suffixStart('qbe');
    if (start < p.length) {
      if (p.kinds.slice(start).some((kind) => kind !== 'e')) notes.push('trailing quote');
      p.keepBefore(start);
    }
  }

  // Quote headers still standing (one above an inline reply): the line goes, the text stays.
  if (p.drop('b') > 0) notes.push('quote header line');

  // /h+[hte]+h+e/: a header block whose fields wrap ("Subject: a long\nsubject") counts as headers.
  mergeWrappedHeaderBlock(p);

  // /t[eq]*h{3,}/: three header fields in a row under the text start an embedded mail when one of them
  // shows it is a mail's and one holds its date (the trimmer asks neither): "This mail bounced:" over a
  // pasted "From: … To: … Subject: …" is the reply's own text.
  const block = findHeaderBlock(p, isEmbeddedMail);
  if (block >= 0) {
    p.keepBefore(block + 1);
    notes.push('header block (From:, Sent:, To:)');
  }

  // Header fields still standing in a block of two or more at the top, one of them a mail's, are
  // dropped (a forward's header). The trimmer drops every one; a lone "Subject: your invoice", a
  // "From: Berlin" / "To: Paris" pair, or addresses listed under a sentence are the reply's own text.
  const firstText = p.indexOf('t');
  if (p.drop('h', 2, (start, end) => (firstText < 0 || start < firstText) && isMailBlock(start, end)) > 0) notes.push('header fields');

  // /[eq]+$/ when there is text: quoted lines at the end go.
  if (p.kinds.includes('t')) {
    const start = p.suffixStart('eq');
    if (start < p.length) {
      if (p.kinds.slice(start).includes('q')) notes.push('trailing quote');
      p.keepBefore(start);
    }
  }
  return done(p, notes);
}

function done(p: Pattern, notes: string[]): KindCut {
  return { kept: p.ids, notes };
}

/**
 * A signature line counts only where it ends the written part: when what follows it (past blank lines
 * and other signatures) is the end, a delimiter, a quote header, header fields or quoted lines. "Sent
 * from my iPhone" in the middle of a paragraph is text.
 */
function settleSignatures(kinds: readonly LineKind[]): LineKind[] {
  const out = [...kinds];
  let next: LineKind | undefined;
  for (let i = out.length - 1; i >= 0; i -= 1) {
    const kind = out[i]!;
    if (kind === 's' && next === 't') out[i] = 't';
    if (kind !== 'e' && kind !== 's') next = out[i];
  }
  return out;
}

function firstOutside(kinds: readonly LineKind[], from: number, to: number, skip: string): number {
  for (let i = from; i < to; i += 1) if (!skip.includes(kinds[i]!)) return i;
  return -1;
}

/**
 * The first wrapped header block, /h+[hte]+h+e/: from the first 'h' of a run of h, t and e, to the last
 * 'e' in that run that follows an 'h' at least three places on. All of it becomes 'h'. Only the first
 * match is fixed, as in Ruby's `if`.
 */
function mergeWrappedHeaderBlock(p: Pattern): void {
  for (const [start, end] of runsFromHeader(p, 'hte')) {
    for (let j = end - 1; j >= start + 3; j -= 1) {
      if (p.kinds[j] === 'e' && p.kinds[j - 1] === 'h') {
        for (let k = start; k <= j; k += 1) p.kinds[k] = 'h';
        return;
      }
    }
  }
}

/** Position of the 't' in the first /t[eq]*h{3,}/ whose run of h `counts`, or -1. */
function findHeaderBlock(p: Pattern, counts: (start: number, end: number) => boolean): number {
  for (const [start, end] of runsFromHeader(p, 'h')) {
    if (end - start >= 3 && counts(start, end)) {
      const text = p.previousOutside(start, 'eq');
      if (text >= 0 && p.kinds[text] === 't') return text;
    }
  }
  return -1;
}

/** Each run that starts at an 'h' and goes on through the kinds in `through`, as [start, end), in order. */
function* runsFromHeader(p: Pattern, through: string): Generator<[number, number]> {
  let i = 0;
  while (i < p.length) {
    if (p.kinds[i] !== 'h') {
      i += 1;
      continue;
    }
    let end = i;
    while (end < p.length && through.includes(p.kinds[end]!)) end += 1;
    yield [i, end];
    i = end;
  }
}
