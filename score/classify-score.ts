// Scores classify() on the labelled corpus sets (score/classify-sets.ts): per set and in total, how
// many bounces, auto-replies, challenges and feedback reports get their kind, and how much person
// mail is wrongly ignored, with every miss named (file, expected, got, reason). Used by the
// `npm run score:classify` command and by test/score/classify.test.ts, which holds the goals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLASSIFICATION_KINDS, classify, parseMessage, type AttachmentSink, type ClassificationKind } from '../src/mail/index.js';
import { corpusRoot, labelledSets, type LabelledSet } from './classify-sets.js';

/** The kinds scored as recall (the share of labelled files that get exactly this kind). */
export const SCORED_KINDS = ['bounce', 'auto-reply', 'challenge', 'feedback', 'bulk'] as const satisfies readonly ClassificationKind[];

export interface Miss {
  set: string;
  name: string;
  expected: ClassificationKind;
  /** The kind classify gave, or 'unparseable' when parseMessage refused the file. */
  got: ClassificationKind | 'unparseable';
  reason: string;
}

export interface Tally {
  /** Per scored kind: files labelled so, and of them classified so. */
  recall: Record<(typeof SCORED_KINDS)[number], { caught: number; labelled: number }>;
  /** Person mail classified as anything but human, of all person mail. */
  humanIgnored: { ignored: number; labelled: number };
}

export interface SetScore {
  set: LabelledSet;
  tally: Tally;
  misses: Miss[];
}

export interface ClassifyScore {
  sets: SetScore[];
  total: Tally;
  misses: Miss[];
  /** Files classified, over all sets. */
  files: number;
  milliseconds: number;
}

/** Attachment bodies are not needed to classify: read and dropped. */
const discard: AttachmentSink = {
  async save(content) {
    let size = 0;
    for await (const chunk of content as AsyncIterable<Buffer | string>) size += chunk.length;
    return { ref: 'discarded', size };
  },
};

export async function scoreClassifier(root = corpusRoot()): Promise<ClassifyScore> {
  const started = performance.now();
  const sets: SetScore[] = [];
  for (const set of labelledSets(root)) {
    const tally = emptyTally();
    const misses: Miss[] = [];
    for (const file of set.files) {
      let got: Miss['got'];
      let reason: string;
      try {
        const message = await parseMessage(readFileSync(join(root, file.name)), { receivedAt: new Date(0), sink: discard });
        ({ kind: got, reason } = classify(message));
      } catch (error) {
        got = 'unparseable';
        reason = error instanceof Error ? error.message : String(error);
      }
      count(tally, file.expected, got);
      if (got !== file.expected) misses.push({ set: set.name, name: file.name, expected: file.expected, got, reason });
    }
    sets.push({ set, tally, misses });
  }
  const total = emptyTally();
  for (const { tally } of sets) add(total, tally);
  return { sets, total, misses: sets.flatMap((s) => s.misses), files: sets.reduce((n, s) => n + s.set.files.length, 0), milliseconds: performance.now() - started };
}

/** The report, one line each: per set, its misses, then the totals; the last line is the summary. */
export function formatClassifyScore(score: ClassifyScore): string[] {
  const lines: string[] = [];
  for (const { set, tally, misses } of score.sets) {
    lines.push(`${set.name} (${set.files.length} files; labels: ${set.source}): ${tallyText(tally)}`);
    for (const miss of misses) lines.push(`  miss ${miss.name}: expected ${miss.expected}, got ${miss.got} (${miss.reason})`);
    for (const file of set.files.filter((f) => f.note)) lines.push(`  label ${file.name} = ${file.expected}: ${file.note}`);
    if (set.excluded.length > 0) lines.push(`  left out ${set.excluded.length} (each with its reason in score/classify-sets.ts)`);
  }
  lines.push(`${score.files} files in ${Math.round(score.milliseconds)} ms`);
  lines.push(`classify: ${tallyText(score.total)}`);
  return lines;
}

/** Recall of bounces and auto-replies together, the goal's figure. */
export function bounceAndAutoReplyRecall(tally: Tally): number {
  const caught = tally.recall.bounce.caught + tally.recall['auto-reply'].caught;
  const labelled = tally.recall.bounce.labelled + tally.recall['auto-reply'].labelled;
  return labelled === 0 ? 1 : caught / labelled;
}

function tallyText(tally: Tally): string {
  const names: Record<(typeof SCORED_KINDS)[number], string> = { bounce: 'bounces', 'auto-reply': 'auto-replies', challenge: 'challenges', feedback: 'feedback reports', bulk: 'bulk' };
  const parts = SCORED_KINDS.filter((k) => tally.recall[k].labelled > 0).map((k) => `${names[k]} ${tally.recall[k].caught}/${tally.recall[k].labelled}`);
  if (tally.humanIgnored.labelled > 0) parts.push(`human ignored ${tally.humanIgnored.ignored}/${tally.humanIgnored.labelled}`);
  return parts.join(', ');
}

function emptyTally(): Tally {
  const recall = Object.fromEntries(SCORED_KINDS.map((k) => [k, { caught: 0, labelled: 0 }])) as Tally['recall'];
  return { recall, humanIgnored: { ignored: 0, labelled: 0 } };
}

function count(tally: Tally, expected: ClassificationKind, got: Miss['got']): void {
  if (expected === 'human') {
    tally.humanIgnored.labelled++;
    if (got !== 'human') tally.humanIgnored.ignored++;
    return;
  }
  if (!isScored(expected)) throw new Error(`no recall kept for labelled kind ${expected} (one of ${CLASSIFICATION_KINDS.join(', ')})`);
  tally.recall[expected].labelled++;
  if (got === expected) tally.recall[expected].caught++;
}

function isScored(kind: ClassificationKind): kind is (typeof SCORED_KINDS)[number] {
  return (SCORED_KINDS as readonly string[]).includes(kind);
}

function add(into: Tally, from: Tally): void {
  for (const kind of SCORED_KINDS) {
    into.recall[kind].caught += from.recall[kind].caught;
    into.recall[kind].labelled += from.recall[kind].labelled;
  }
  into.humanIgnored.ignored += from.humanIgnored.ignored;
  into.humanIgnored.labelled += from.humanIgnored.labelled;
}
