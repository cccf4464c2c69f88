// npm run score:classify: classify() on the labelled corpus sets, every miss listed, then the totals.
// The corpus is ../shared/corpus next to the repository, or MAILBIND_CORPUS.
import { formatClassifyScore, scoreClassifier } from './classify-score.js';

const score = await scoreClassifier();
process.stdout.write(formatClassifyScore(score).join('\n') + '\n');
