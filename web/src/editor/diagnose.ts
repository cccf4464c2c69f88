// The problems of a rule text, found in the browser by the very parser the service uses (src/rules):
// errors at line:column with the suggestion, and warnings for ids and codes that name no project or team.
// Offsets are into the text as the editor holds it, for the markers.
import { checkReferences, parseRules, tokenize } from '../../../src/rules/index.js';
import type { Names } from './tracker-names.js';

export interface Problem {
  severity: 'error' | 'warning';
  line: number;
  column: number;
  /** Offsets into the whole text; `to` is exclusive (equal to `from` at the end of a line). */
  from: number;
  to: number;
  message: string;
  suggestion?: string;
}

export function diagnose(text: string, names: Names | undefined): Problem[] {
  const starts = lineStarts(text);
  const at = (line: number, column: number) => (starts[line - 1] ?? text.length) + column - 1;
  const { ruleSet, errors } = parseRules(text);
  const problems: Problem[] = errors.map((e) => ({
    severity: 'error',
    line: e.line,
    column: e.column,
    from: at(e.line, e.column),
    to: at(e.line, e.endColumn),
    message: e.message,
    ...(e.suggestion ? { suggestion: e.suggestion } : {}),
  }));
  if (names) {
    const codes = names.codes;
    const checks = {
      projectExists: (id: number) => names.projects.has(id),
      teamExists: (id: number) => names.teams.has(id),
      // Only a tracker with codes can say a code names nothing.
      ...(codes ? { projectCodeExists: (code: string) => codes.has(code.toLowerCase()) } : {}),
    };
    for (const w of checkReferences(ruleSet, checks)) {
      const source = ruleSet.rules.find((r) => r.line === w.line)?.source ?? '';
      // The warning names a column; the marker covers the id or code standing there (a code's digits
      // are tokens of their own, written right after its letters).
      const tokens = tokenize(source);
      let last = tokens.findIndex((t) => t.start === w.column - 1);
      while (last >= 0 && tokens[last + 1] && !tokens[last + 1]!.spaceBefore && /^(word|number)$/.test(tokens[last + 1]!.kind)) last++;
      const end = last >= 0 ? tokens[last]!.end + 1 : w.column + 1;
      problems.push({ severity: 'warning', line: w.line, column: w.column, from: at(w.line, w.column), to: at(w.line, end), message: w.message });
    }
  }
  return problems.sort((a, b) => a.from - b.from);
}

/** Offset of each line's first character; line ends are CRLF, CR or LF as the parser splits them. */
function lineStarts(text: string): number[] {
  const starts = [0];
  const ends = /\r\n|\r|\n/g;
  for (let m = ends.exec(text); m; m = ends.exec(text)) starts.push(m.index + m[0].length);
  return starts;
}

export function problemText(p: Pick<Problem, 'message' | 'suggestion'>): string {
  return p.suggestion ? `${p.message} (${p.suggestion})` : p.message;
}
