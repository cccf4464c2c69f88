// Completion asks the parser what may come next: the words before the cursor are parsed with a
// stand-in token where the cursor is, and the error at that token lists what was expected there
// (keyword phrases, or a project or team id). No second grammar: the parser's own `expected` list.
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { parseRules, tokenize } from '../../../src/rules/index.js';
import type { Names } from './tracker-names.js';

/** A character the lexer reads as a token of its own and no rule ever expects. */
const STAND_IN = '\u00a7';

export function expectedAt(textBefore: string): string[] | null {
  const { errors } = parseRules(textBefore + STAND_IN);
  const error = errors[0];
  // An error before the cursor: the line is already wrong there, so nothing sensible comes next.
  if (!error || error.column - 1 !== textBefore.length) return null;
  return error.expected;
}

export function rulesCompletion(names: () => Names | undefined) {
  return (context: CompletionContext): CompletionResult | null => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    if (/^\s*#/.test(before) || tokenize(before).at(-1)?.kind === 'openString') return null;
    const typed = /(?:[\p{L}\p{M}_]+|[0-9]+)$/u.exec(before)?.[0] ?? '';
    // Typing a space opens the list where something must follow; otherwise wait for a letter or a digit.
    if (!typed && !context.explicit && !/\s$/.test(before)) return null;
    const expected = expectedAt(before.slice(0, before.length - typed.length));
    if (!expected) return null;
    const options: Completion[] = [];
    for (const e of expected) {
      const phrase = /^'(.*)'$/.exec(e)?.[1];
      if (phrase) options.push({ label: phrase, type: 'keyword', apply: `${phrase} ` });
      else if (e === 'a project id') options.push(...idOptions('project', names()));
      else if (e === 'a team id') options.push(...idOptions('team', names()));
    }
    if (!options.length) return null;
    return { from: context.pos - typed.length, options, validFor: /^(?:[\p{L}\p{M}_]*|[0-9]*)$/u };
  };
}

function idOptions(kind: 'project' | 'team', names: Names | undefined): Completion[] {
  if (!names) return [];
  const list = kind === 'project' ? [...names.projects] : [...names.teams];
  return list.map(([id, x]) => ({
    label: String(id),
    detail: `${x.name}${'deleted' in x && x.deleted ? ' (deleted)' : ''}`,
    type: 'variable',
    apply: `${id} `,
    boost: 'deleted' in x && x.deleted ? -1 : 0,
  }));
}
