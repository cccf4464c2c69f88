// Reply splitting scored on the corpus (score/replies-score.ts; `npm run score:replies` prints the same
// report): at least 95% exact over all sources together, at least 90% on each, and no failure but the
// ones listed here, each a case where two sources (or a source and our never-empty rule) disagree.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { corpusCases, formatReport, scoreReplies, type SourceScore } from '../../score/replies-score.js';
import { corpusSkip } from '../support/mail-corpus.js';

/** Expectations we do not meet on purpose, by source and file, and why. */
const SACRIFICED: Record<string, Record<string, string>> = {
  talon: {
    'standard_replies/iphone.eml':
      'talon keeps "Sent from my iPhone" above the quote; email-reply-trimmer removes such a line there (embedded_email_10, _norwegian) and github everywhere: no signature clutter',
    'standard_replies/sparrow.eml':
      'talon keeps the "-- " signature above the quote; email-reply-trimmer (embedded_email_polish_1) and github (correct_sig) remove it',
  },
  'email-reply-trimmer': {
    'emails/spam_1.txt': 'all quote: the trimmer expects an empty reply, our rule is never an empty reply (the whole text, fullTextKept)',
  },
};

describe('reply splitting on the corpus', { skip: corpusSkip() }, () => {
  let scores: SourceScore[] = [];
  before(async () => {
    const { cases, skipped } = await corpusCases();
    scores = scoreReplies(cases, skipped);
    console.log(formatReport(scores));
  });

  test('at least 95% exact over all sources', () => {
    const exact = scores.reduce((sum, s) => sum + s.exact, 0);
    const total = scores.reduce((sum, s) => sum + s.total, 0);
    assert.ok(total >= 79, `${total} cases read`);
    assert.ok(exact / total >= 0.95, `${exact}/${total}`);
  });

  test('at least 90% exact on each source; talon plain text only misses the two it contradicts', () => {
    for (const score of scores) {
      const sacrificed = Object.keys(SACRIFICED[score.source] ?? {}).length;
      // talon's plain-text set has 12 cases, two of them contradicted by the other sources: 10/12 is its
      // best. talon as one source (text and HTML, 23 cases) is held to the 90%.
      const floor = score.source === 'talon' ? (score.total - sacrificed) / score.total : 0.9;
      assert.ok(score.exact / score.total >= floor, `${score.source}: ${score.exact}/${score.total}`);
    }
    const talon = scores.filter((s) => s.source.startsWith('talon'));
    const talonExact = talon.reduce((sum, s) => sum + s.exact, 0);
    const talonTotal = talon.reduce((sum, s) => sum + s.total, 0);
    assert.ok(talonExact / talonTotal >= 0.9, `talon text and HTML: ${talonExact}/${talonTotal}`);
  });

  test('every case missed is one listed as sacrificed, with its reason', () => {
    const missed = scores.flatMap((s) => s.results.filter((r) => !r.exact).map((r) => `${s.source}: ${r.name} (${r.hint})`));
    const unexpected = missed.filter((line) => {
      const [source, rest] = line.split(': ', 2) as [string, string];
      return !Object.keys(SACRIFICED[source] ?? {}).some((name) => rest.startsWith(`${name} `));
    });
    assert.deepEqual(unexpected, []);
  });
});
