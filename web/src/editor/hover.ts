// Hovering a project id or code, or a team id, shows what it names: the project or team from the
// tracker, or that there is none.
import { hoverTooltip } from '@codemirror/view';
import { PROJECT_CODE, tokenize, type Token } from '../../../src/rules/index.js';
import { describeCode, describeId, type Names } from './tracker-names.js';

export function idHover(names: () => Names | undefined) {
  return hoverTooltip((view, pos) => {
    const line = view.state.doc.lineAt(pos);
    const named = namedAt(tokenize(line.text), pos - line.from);
    if (!named) return null;
    const text = named.kind === 'code' ? describeCode(named.text, names()) : describeId(named.kind, Number(named.text), names());
    if (text === undefined) return null;
    return {
      pos: line.from + named.start,
      end: line.from + named.end,
      above: true,
      create() {
        const dom = document.createElement('div');
        dom.className = 'cm-rule-hover';
        dom.textContent = text;
        return { dom };
      },
    };
  });
}

const CLAUSE_WORDS = new Set(['and', 'or', 'then', 'with', 'not', 'when']);

/**
 * The id or code at offset `at` of a line: the word before it ('project' or 'team') says which. A code
 * may hold digits (`ACME2`), which the lexer reads as tokens of their own, so the run of letters and
 * digits written together is taken whole.
 */
function namedAt(tokens: Token[], at: number): { kind: 'project' | 'team' | 'code'; text: string; start: number; end: number } | null {
  let index = tokens.findIndex((t) => (t.kind === 'number' || t.kind === 'word') && t.start <= at && at <= t.end);
  if (index < 0) return null;
  const glued = (t: Token | undefined) => t !== undefined && !t.spaceBefore && (t.kind === 'number' || t.kind === 'word');
  while (index > 0 && glued(tokens[index]) && (tokens[index - 1]!.kind === 'number' || tokens[index - 1]!.kind === 'word')) index--;
  let last = index;
  while (glued(tokens[last + 1])) last++;
  const before = tokens[index - 1];
  const kind = before?.kind === 'word' ? before.text.toLowerCase() : '';
  if (kind !== 'project' && kind !== 'team') return null;
  const text = tokens.slice(index, last + 1).map((t) => t.text).join('');
  const span = { text, start: tokens[index]!.start, end: tokens[last]!.end };
  if (/^[0-9]+$/.test(text)) return { kind, ...span };
  // The words that end a clause are never codes, as the parser reads them.
  const isCode = kind === 'project' && PROJECT_CODE.test(text) && !CLAUSE_WORDS.has(text.toLowerCase());
  return isCode ? { kind: 'code', ...span } : null;
}
