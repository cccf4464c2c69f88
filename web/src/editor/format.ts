// "Format": each rule line in the canonical spelling (src/rules formatRule), comments and blank lines
// kept where they are. (formatRules on the whole set would drop the comments: they are not rules.)
import { formatRule, isBlankOrComment, parseRules } from '../../../src/rules/index.js';

/** Lines that do not parse are left as written; the editor shows their errors. */
export function formatKeepingComments(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => {
      if (isBlankOrComment(line)) return line.trimEnd();
      const { ruleSet, errors } = parseRules(line);
      return errors.length || !ruleSet.rules[0] ? line : formatRule(ruleSet.rules[0]);
    })
    .join('\n');
}
