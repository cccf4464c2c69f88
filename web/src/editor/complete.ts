// Completion asks the parser what may come next: the words before the cursor are parsed with a
// stand-in token where the cursor is, and the error at that token lists what was expected there
// (keyword phrases, a project, a team id). No second grammar: the parser's own `expected` list, read
// with the vocabulary (src/rules), so plugin phrases complete like built-in ones.
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { actionLeads, conditionLeads, parseRules, tokenize, vocabulary, type Phrase } from '../../../src/rules/index.js';
import type { Names } from './tracker-names.js';

/** A character the lexer reads as a token of its own and no rule ever expects. */
const STAND_IN = '\u00a7';
/** A capture no rule names: the parser's error for it lists the captures the rule has. */
const CAPTURE_STAND_IN = '{mailbind_stand_in}';

export function expectedAt(textBefore: string): string[] | null {
  return expectedAfter(textBefore, STAND_IN);
}

function expectedAfter(textBefore: string, standIn: string): string[] | null {
  const { errors } = parseRules(textBefore + standIn);
  const error = errors[0];
  // An error before the cursor: the line is already wrong there, so nothing sensible comes next.
  if (!error || error.column - 1 !== textBefore.length) return null;
  return error.expected;
}

/** The words of the language that join and frame clauses: listed before the phrases. */
const JOINERS = new Set(['and', 'or', 'then', 'not', '(', ')']);

export function rulesCompletion(names: () => Names | undefined) {
  return (context: CompletionContext): CompletionResult | null => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    if (/^\s*#/.test(before) || tokenize(before).at(-1)?.kind === 'openString') return null;
    // A word, a project code (letters then digits), an id, or a {capture} being typed.
    const typed = /(?:\{[\p{L}\p{N}_]*|[\p{L}\p{M}_][\p{L}\p{M}\p{N}_]*|[0-9]+)$/u.exec(before)?.[0] ?? '';
    // Typing a space opens the list where something must follow; otherwise wait for a letter or a digit.
    if (!typed && !context.explicit && !/[\s(]$/.test(before)) return null;
    const head = before.slice(0, before.length - typed.length);
    const options = completionsAt(head, names());
    if (!options.length) return null;
    return { from: context.pos - typed.length, options, validFor: /^(?:\{[\p{L}\p{N}_]*|[\p{L}\p{M}_][\p{L}\p{M}\p{N}_]*|[0-9]*)$/u };
  };
}

/** What may be written after `head` (a line up to the cursor, without the word being typed). */
export function completionsAt(head: string, names: Names | undefined): Completion[] {
  const expected = expectedAt(head);
  if (!expected) return [];
  const options: Completion[] = [];
  const words = new Set<string>();
  for (const e of expected) {
    const word = /^'(.*)'$/.exec(e)?.[1];
    if (word !== undefined) words.add(word);
    else if (/^a project id/.test(e)) options.push(...projectOptions(names), ...captureOptions(head));
    else if (e === 'a team id') options.push(...teamOptions(names));
  }
  // The parser names the next word of a phrase begun before the cursor (`create ` → 'bug'); offer the
  // rest of each such phrase (`bug in project`) instead, and every other expected word as it is.
  const rests = phraseRests(head, words);
  for (const rest of rests) words.delete(rest.first);
  const seen = new Set<string>();
  for (const rest of rests) {
    if (seen.has(rest.text)) continue;
    seen.add(rest.text);
    options.push(phraseOption(rest.text, rest.phrase));
  }
  const leads = new Map([...conditionLeads(), ...actionLeads()].map((p) => [p.join(' '), p]));
  for (const word of words) options.push(phraseOption(word, leads.get(word) ?? null));
  options.push(...optionalTails(head));
  return options;
}

interface Rest {
  /** The words still to write, joined. */
  text: string;
  first: string;
  /** The whole phrase, for its help. */
  phrase: Phrase;
}

/** Each condition or action phrase whose first words (one or more) end `head` and whose next word is expected. */
function phraseRests(head: string, expected: ReadonlySet<string>): Rest[] {
  const tokens = tokenize(head);
  const rests: Rest[] = [];
  for (const phrase of [...conditionLeads(), ...actionLeads()]) {
    for (let k = Math.min(phrase.length - 1, tokens.length); k >= 1; k--) {
      const next = phrase[k]!;
      if (!expected.has(next)) continue;
      const tail = tokens.slice(tokens.length - k);
      if (tail.every((t, i) => t.kind === 'word' && t.text.toLowerCase() === phrase[i])) {
        rests.push({ text: phrase.slice(k).join(' '), first: next, phrase });
        break;
      }
    }
  }
  return rests;
}

function phraseOption(text: string, phrase: Phrase | null): Completion {
  const joiner = JOINERS.has(text);
  const info = phrase ? phraseHelp(phrase) : undefined;
  return {
    label: text,
    type: 'keyword',
    // A parenthesis needs no space after it; every other word does.
    apply: text === '(' ? '(' : `${text} `,
    boost: joiner ? 1 : 0,
    ...(info ? { info } : {}),
  };
}

/** Each phrase starting with these words, as its pattern reads, with its one line of help. */
function phraseHelp(phrase: Phrase): string | undefined {
  const text = phrase.join(' ');
  const lines: string[] = [];
  const v = vocabulary();
  for (const defined of [...v.conditions.values(), ...v.actions.values()]) {
    const first = defined.pattern.parts[0];
    if (!first || !('words' in first) || first.words.join(' ') !== text) continue;
    lines.push(`${defined.definition.pattern}: ${defined.definition.help}`);
  }
  return lines.length ? [...new Set(lines)].join('\n') : undefined;
}

/**
 * The optional tail of the action that ends `head` (`with title`, `because`): the parser accepts it
 * there but does not list it, since the action is complete without it.
 */
function optionalTails(head: string): Completion[] {
  if (!/\s$/.test(head)) return [];
  const { ruleSet, errors } = parseRules(head);
  const rule = ruleSet.rules[0];
  const last = rule?.actions.at(-1);
  if (errors.length || !last || last.span.endColumn - 1 !== head.trimEnd().length) return [];
  const parts = vocabulary().actions.get(last.kind)?.canonical.parts ?? [];
  const tail = parts.at(-1);
  if (!tail || !('optional' in tail) || last.args.at(-1) !== null) return [];
  const words = tail.optional.join(' ');
  return [{ label: words, type: 'keyword', apply: `${words} ` }];
}

function projectOptions(names: Names | undefined): Completion[] {
  if (!names) return [];
  const options: Completion[] = [];
  for (const [id, p] of names.projects) {
    const detail = `${p.name}${p.deleted ? ' (deleted)' : ''}`;
    const boost = p.deleted ? -1 : 0;
    options.push({ label: String(id), detail, type: 'variable', apply: `${id} `, boost });
    // Codes only when the tracker has them (names.codes is null otherwise).
    if (p.code && names.codes) options.push({ label: p.code, detail, type: 'variable', apply: `${p.code} `, boost });
  }
  return options;
}

function teamOptions(names: Names | undefined): Completion[] {
  if (!names) return [];
  return [...names.teams].map(([id, t]) => ({ label: String(id), detail: t.name, type: 'variable', apply: `${id} ` }));
}

/** The rule's {captures}, where an action may name a project by one. */
function captureOptions(head: string): Completion[] {
  const expected = expectedAfter(head, CAPTURE_STAND_IN) ?? [];
  return expected
    .filter((e) => /^\{.+\}$/.test(e))
    .map((e) => ({ label: e, detail: 'captured by this rule', type: 'variable', apply: `${e} ` }));
}
