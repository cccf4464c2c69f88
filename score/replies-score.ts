// How well reply splitting does on mail with a known answer. Reads the corpus sources (or folders laid
// out like email-reply-trimmer's), runs a splitter on each input and compares with the expectation.
//
// Exact: the reply equals the expectation once line endings are '\n' (CRLF and lone CR) and trailing
// whitespace of the whole text is removed on both sides; nothing else. talon's HTML cases are compared
// as talon does: with every whitespace character removed on both sides.
//
// Loose ("holds the new text and none of the quote"): every non-blank line of the expectation is a line
// of the reply, and no non-blank line of the removed part is, leaving out lines the expectation itself
// holds ("Thanks," may be in both). Lines are compared with surrounding whitespace trimmed and inner runs
// of whitespace squeezed. The removed part is the source's own file where it has one (email-reply-trimmer's
// elided/); otherwise it is every line of the whole input as text (the message's text part, the HTML as
// our converter renders it) that is not in the expectation.
//
// Where the source gives the removed part (email-reply-trimmer's elided/), ours is also compared with it,
// every run of whitespace taken as one space (the trimmer rejoins a wrapped header with a space, we keep
// the lines as written). This is reported beside the score, not part of it.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMessage, splitReply, type AttachmentSink, type ReplySource, type ReplySplit } from '../src/mail/index.js';
import { htmlToReadableText } from '../src/mail/reply/html-text.js';

export interface ReplyCase {
  source: string;
  /** Path under the source folder. */
  name: string;
  input: ReplySource;
  want: string;
  compare: 'exact' | 'whitespace-insensitive';
  /** The expected removed part, where the source gives one. */
  wantRemoved: string | null;
  /** The whole input as text, for the loose check's removed lines when there is no removed part. */
  fullText: string;
}

export interface SkippedCase {
  source: string;
  name: string;
  why: string;
}

export interface CaseResult {
  name: string;
  got: ReplySplit;
  exact: boolean;
  loose: boolean;
  /** Whether our removed part equals the expected one, whitespace runs squeezed; null without one. */
  removedExact: boolean | null;
  /** A short hint at the first difference, '' when exact. */
  hint: string;
}

export interface SourceScore {
  source: string;
  total: number;
  exact: number;
  loose: number;
  /** Cases with an expected removed part, and how many of ours equal it. */
  removedChecked: number;
  removedExact: number;
  results: CaseResult[];
  skipped: SkippedCase[];
}

export type Splitter = (source: ReplySource) => ReplySplit;

/** The corpus next to the repository, as test/support/mail-corpus.ts finds it (MAILBIND_CORPUS overrides). */
export function defaultCorpusDir(): string {
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  return resolve(process.env.MAILBIND_CORPUS ?? join(repoRoot, '..', 'shared', 'corpus'));
}

export function normalise(text: string): string {
  return text.replace(/\r\n?/g, '\n').trimEnd();
}

function withoutWhitespace(text: string): string {
  return text.replace(/\s+/gu, '');
}

function lineSet(text: string): Set<string> {
  return new Set(
    text
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .map((line) => line.replace(/\s+/gu, ' ').trim())
      .filter((line) => line !== ''),
  );
}

export function scoreCase(reply: ReplyCase, split: Splitter): CaseResult {
  const got = split(reply.input);
  const exact =
    reply.compare === 'exact'
      ? normalise(got.reply) === normalise(reply.want)
      : withoutWhitespace(got.reply) === withoutWhitespace(reply.want);
  const ours = lineSet(got.reply);
  const wanted = lineSet(reply.want);
  const removedLines = reply.wantRemoved !== null ? lineSet(reply.wantRemoved) : lineSet(reply.fullText);
  const loose = [...wanted].every((line) => ours.has(line)) && [...removedLines].every((line) => wanted.has(line) || !ours.has(line));
  // The trimmer's removed part has wrapped headers rejoined with a space; ours keeps the lines as
  // written. So removed parts compare with every run of whitespace as one space.
  const squeeze = (text: string): string => text.replace(/\s+/gu, ' ').trim();
  const removedExact = reply.wantRemoved === null ? null : squeeze(got.removed) === squeeze(reply.wantRemoved);
  return { name: reply.name, got, exact, loose, removedExact, hint: exact ? '' : differenceHint(reply.want, got.reply) };
}

/** "line 3: want "Thanks," got "> Hi"" — the first line that differs, each side cut to 60 characters. */
function differenceHint(want: string, got: string): string {
  const wantLines = normalise(want).split('\n');
  const gotLines = normalise(got).split('\n');
  const show = (line: string | undefined): string => (line === undefined ? '(end)' : JSON.stringify(line.length > 60 ? `${line.slice(0, 57)}...` : line));
  for (let i = 0; i < Math.max(wantLines.length, gotLines.length); i += 1) {
    if (wantLines[i] !== gotLines[i]) return `line ${i + 1}: want ${show(wantLines[i])} got ${show(gotLines[i])}`;
  }
  return 'differs in whitespace only';
}

export function scoreReplies(cases: readonly ReplyCase[], skipped: readonly SkippedCase[] = [], split: Splitter = splitReply): SourceScore[] {
  const sources = [...new Set([...cases.map((c) => c.source), ...skipped.map((s) => s.source)])];
  return sources.map((source) => {
    const results = cases.filter((c) => c.source === source).map((c) => scoreCase(c, split));
    const withRemoved = results.filter((r) => r.removedExact !== null);
    return {
      source,
      total: results.length,
      exact: results.filter((r) => r.exact).length,
      loose: results.filter((r) => r.loose).length,
      removedChecked: withRemoved.length,
      removedExact: withRemoved.filter((r) => r.removedExact).length,
      results,
      skipped: skipped.filter((s) => s.source === source),
    };
  });
}

// ---- reading the sources ----

/** Attachments are not needed here: read and forgotten. */
const discardAttachments: AttachmentSink = {
  async save(content) {
    let size = 0;
    for await (const chunk of content as AsyncIterable<Buffer>) size += chunk.length;
    return { ref: 'discarded', size };
  },
};

async function messageSource(path: string): Promise<ReplySource> {
  const message = await parseMessage(readFileSync(path), { receivedAt: new Date(0), sink: discardAttachments });
  // As src/engine/decide.ts passes it: an HTML-only message is split in its HTML, as in production.
  return { text: message.text, html: message.html, textFromHtml: message.textFromHtml };
}

export interface LoadedCases {
  cases: ReplyCase[];
  skipped: SkippedCase[];
}

/** talon: standard_replies/*.eml parsed with our parser; expectations.json, as transcribed from its tests. */
async function talonCases(corpus: string): Promise<LoadedCases> {
  const base = join(corpus, 'talon');
  const expectations = JSON.parse(readFileSync(join(base, 'expected', 'expectations.json'), 'utf8')) as {
    standard_replies: Record<string, { reply_text: string }>;
    html: Record<string, { reply_text_whitespace_insensitive?: string; reply_html_whitespace_insensitive?: string }>;
  };
  const cases: ReplyCase[] = [];
  for (const [name, { reply_text }] of Object.entries(expectations.standard_replies)) {
    const input = await messageSource(join(base, name));
    cases.push({ source: 'talon', name, input, want: reply_text, compare: 'exact', wantRemoved: null, fullText: input.text });
  }
  for (const [name, expected] of Object.entries(expectations.html)) {
    const html = readFileSync(join(base, name), 'utf8');
    // Two cases give the reply as HTML ("<div>Reply</div>"); compared without whitespace, its text is
    // what is left once the tags are taken out.
    const want = expected.reply_text_whitespace_insensitive ?? (expected.reply_html_whitespace_insensitive ?? '').replace(/<[^<>]*>/g, '\n').trim();
    cases.push({
      source: 'talon-html',
      name,
      input: { text: '', html },
      want,
      compare: 'whitespace-insensitive',
      wantRemoved: null,
      fullText: htmlToReadableText(html),
    });
  }
  return { cases, skipped: [] };
}

interface GithubExpectation {
  visible_text?: string;
  hidden?: boolean[];
  quoted?: boolean[];
  fragments_equal?: Record<string, string>;
  fragments_match?: Record<string, string | string[]>;
  time_limit_s?: number;
}

/**
 * github/email_reply_parser. Its visible text is the fragments not hidden, joined, right-stripped.
 * Where the test gives `visible_text`, that is the expectation. Where it gives only fragments, the
 * visible text is derived when the test fixes it: the hidden flags say only the first fragment is shown
 * and it is not quoted, so the visible text is the body before the second fragment (found by its exact
 * text or its regular expression, both from the test). Two cases keep quoted fragments visible (inline
 * replies: email_1_2, email_1_8) and the others assert fragment counts or matches without hidden flags;
 * those are listed as not scored.
 */
function githubCases(corpus: string): LoadedCases {
  const base = join(corpus, 'github-email-reply-parser');
  const { expectations } = JSON.parse(readFileSync(join(base, 'expected', 'expectations.json'), 'utf8')) as {
    expectations: Record<string, GithubExpectation>;
  };
  const cases: ReplyCase[] = [];
  const skipped: SkippedCase[] = [];
  for (const [file, expected] of Object.entries(expectations)) {
    const name = `emails/${file}`;
    const body = readFileSync(join(base, name), 'utf8');
    const text = body.replace(/\r\n?/g, '\n');
    let want: string | null = expected.visible_text ?? null;
    let why = '';
    if (want === null) {
      const hidden = expected.hidden;
      if (expected.time_limit_s !== undefined) why = `a time limit (${expected.time_limit_s} s): see test/mail/reply/deadline.test.ts`;
      else if (!hidden) why = 'the test asserts fragments only, with no hidden flags to derive the visible text from';
      else if (hidden[0] !== false || hidden.slice(1).some((h) => !h) || expected.quoted?.[0]) {
        why = 'inline reply: upstream keeps quoted fragments visible, we cut at the first quote header';
      } else {
        const second = expected.fragments_equal?.['1'];
        const match = expected.fragments_match?.['1'];
        const at = second !== undefined ? text.indexOf(second) : new RegExp(Array.isArray(match) ? match[0]! : (match ?? '^$'), 'm').exec(text)?.index ?? -1;
        if (at > 0) want = text.slice(0, at).trimEnd();
        else why = 'the second fragment is not found in the body';
      }
    }
    if (want === null) skipped.push({ source: 'github-email-reply-parser', name, why });
    else cases.push({ source: 'github-email-reply-parser', name, input: { text: body, html: null }, want, compare: 'exact', wantRemoved: null, fullText: body });
  }
  return { cases, skipped };
}

/** A folder laid out like email-reply-trimmer's test data: emails/X → trimmed/X, optional elided/X. */
export function trimmerLayoutCases(dir: string, source = basename(resolve(dir))): LoadedCases {
  const cases: ReplyCase[] = [];
  for (const file of readdirSync(join(dir, 'emails')).sort()) {
    const body = readFileSync(join(dir, 'emails', file), 'utf8');
    const elided = join(dir, 'elided', file);
    cases.push({
      source,
      name: `emails/${file}`,
      input: { text: body, html: null },
      want: readFileSync(join(dir, 'trimmed', file), 'utf8'),
      compare: 'exact',
      wantRemoved: existsSync(elided) ? readFileSync(elided, 'utf8') : null,
      fullText: body,
    });
  }
  return { cases, skipped: [] };
}

/** Every source of the corpus with reply expectations. */
export async function corpusCases(corpus = defaultCorpusDir()): Promise<LoadedCases> {
  const parts = [await talonCases(corpus), githubCases(corpus), trimmerLayoutCases(join(corpus, 'email-reply-trimmer'))];
  return { cases: parts.flatMap((p) => p.cases), skipped: parts.flatMap((p) => p.skipped) };
}

// ---- the report ----

function percent(part: number, whole: number): string {
  return whole === 0 ? '0.0' : ((100 * part) / whole).toFixed(1);
}

/** The printed report; its last line is exactly `replies: N/M exact (P%)`. */
export function formatReport(scores: readonly SourceScore[]): string {
  const out: string[] = [];
  for (const score of scores) {
    const removed = score.removedChecked > 0 ? `, removed part = expected ${score.removedExact}/${score.removedChecked}` : '';
    out.push(`${score.source}: ${score.exact}/${score.total} exact (${percent(score.exact, score.total)}%), ${score.loose}/${score.total} loose${removed}`);
    for (const result of score.results.filter((r) => !r.exact)) {
      out.push(`  FAIL ${result.name}${result.loose ? ' (loose ok)' : ''}: ${result.hint} [${result.got.how}]`);
    }
    for (const skip of score.skipped) out.push(`  not scored ${skip.name}: ${skip.why}`);
  }
  // A source scored in two parts (talon: its text replies and its HTML fragments) is one source for the
  // per-source goal; say its whole figure too.
  const families = new Map<string, SourceScore[]>();
  for (const score of scores) {
    const family = score.source.replace(/-html$/, '');
    families.set(family, [...(families.get(family) ?? []), score]);
  }
  for (const [family, parts] of families) {
    if (parts.length < 2) continue;
    const exact = parts.reduce((sum, s) => sum + s.exact, 0);
    const total = parts.reduce((sum, s) => sum + s.total, 0);
    out.push(`${family} (text and HTML): ${exact}/${total} exact (${percent(exact, total)}%)`);
  }
  const exact = scores.reduce((sum, s) => sum + s.exact, 0);
  const total = scores.reduce((sum, s) => sum + s.total, 0);
  out.push(`replies: ${exact}/${total} exact (${percent(exact, total)}%)`);
  return out.join('\n');
}
