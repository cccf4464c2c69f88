// `npm run score:replies [-- DIR…]`: how exactly reply splitting recovers the reply on mail with known
// answers. Without arguments it scores the corpus sources (talon, github-email-reply-parser,
// email-reply-trimmer); with DIR arguments, each DIR laid out like email-reply-trimmer's test data
// (DIR/emails/*, DIR/trimmed/*, optional DIR/elided/*). The scoring itself is in replies-score.ts.
import { corpusCases, formatReport, scoreReplies, trimmerLayoutCases, type LoadedCases } from './replies-score.js';

const dirs = process.argv.slice(2);
const loaded: LoadedCases =
  dirs.length === 0
    ? await corpusCases()
    : dirs.map((dir) => trimmerLayoutCases(dir)).reduce((all, part) => ({ cases: [...all.cases, ...part.cases], skipped: [...all.skipped, ...part.skipped] }), { cases: [], skipped: [] } as LoadedCases);
console.log(formatReport(scoreReplies(loaded.cases, loaded.skipped)));
