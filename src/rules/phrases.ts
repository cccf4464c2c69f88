// The keyword phrases of the language and how a set of them is named in error messages. The condition
// and action phrases come from the vocabulary (built-ins and plugins).

import type { Defined } from './language.js';
import { leadingWords, patternWords } from './pattern.js';
import { onVocabularyChange, vocabulary } from './vocabulary.js';

export type Phrase = readonly string[];

export const WHEN: Phrase = ['when'];
export const THEN: Phrase = ['then'];
export const AND: Phrase = ['and'];
export const OR: Phrase = ['or'];
export const NOT: Phrase = ['not'];
export const OPEN: Phrase = ['('];
export const CLOSE: Phrase = [')'];

interface Leads {
  conditions: Phrase[];
  actions: Phrase[];
  /** Without the other spellings (`create private request`): what messages name. */
  namedConditions: Phrase[];
  namedActions: Phrase[];
  byCondition: Map<Phrase, Defined<unknown>[]>;
  byAction: Map<Phrase, Defined<unknown>[]>;
  words: Phrase[];
}

let leads: Leads | null = null;
onVocabularyChange(() => (leads = null));

/** The first words of each phrase, one Phrase object per distinct spelling (the parser compares by identity). */
function computeLeads(): Leads {
  const group = (defined: Iterable<Defined<unknown>>) => {
    const byText = new Map<string, Phrase>();
    const by = new Map<Phrase, Defined<unknown>[]>();
    const named: Phrase[] = [];
    for (const d of defined) {
      const words = leadingWords(d.pattern);
      const text = words.join(' ');
      let phrase = byText.get(text);
      if (!phrase) byText.set(text, (phrase = words));
      by.set(phrase, [...(by.get(phrase) ?? []), d]);
      if (d.pattern === d.canonical && !named.includes(phrase)) named.push(phrase);
    }
    return { list: [...byText.values()], by, named };
  };
  const v = vocabulary();
  const c = group(v.conditions.values());
  const a = group(v.actions.values());
  const words = [...v.conditions.values(), ...v.actions.values()].map((d) => patternWords(d.pattern));
  return { conditions: c.list, actions: a.list, namedConditions: c.named, namedActions: a.named, byCondition: c.by, byAction: a.by, words };
}

function current(): Leads {
  return (leads ??= computeLeads());
}

/** The phrases a condition can start with, built-in first, in declaration order. */
export function conditionLeads(): readonly Phrase[] {
  return current().conditions;
}
export function actionLeads(): readonly Phrase[] {
  return current().actions;
}
export function conditionsStartingWith(phrase: Phrase): Defined<unknown>[] {
  return current().byCondition.get(phrase) ?? [];
}
export function actionsStartingWith(phrase: Phrase): Defined<unknown>[] {
  return current().byAction.get(phrase) ?? [];
}

/**
 * Every keyword of the language, for tools outside the parser (the web editor highlights and completes
 * from it): a phrase added to the vocabulary appears there without touching the tools.
 */
export function keywordPhrases(): readonly Phrase[] {
  return [WHEN, THEN, AND, OR, NOT, ...current().words];
}

export const END_OF_LINE = 'end of line';

export function quote(phrase: Phrase): string {
  return `'${phrase.join(' ')}'`;
}

/** What may come next at one point of a rule; `phrases` are tried in order, `endOfLine` if allowed. */
export interface Choice {
  phrases: readonly Phrase[];
  endOfLine?: boolean;
}

/** The flat `expected` list of a RuleError. */
export function expectedList(choice: Choice): string[] {
  const list = choice.phrases.map(quote);
  if (choice.endOfLine) list.push(END_OF_LINE);
  return list;
}

/** How many phrases of a group a message names before saying "…" (the `expected` list has them all). */
const NAMED = 3;

/**
 * The same list for a sentence, with the condition and action phrases each named as a group:
 * "'and', 'or', 'then' or a condition ('subject contains', 'company matched to project', … 30 in all)".
 */
export function describeChoice(choice: Choice): string {
  const parts: string[] = [];
  const conditions = new Set(conditionLeads());
  const actions = new Set(actionLeads());
  let conditionsDone = false;
  let actionsDone = false;
  for (const phrase of choice.phrases) {
    if (conditions.has(phrase)) {
      if (!conditionsDone) parts.push(`a condition (${group(current().namedConditions)})`);
      conditionsDone = true;
    } else if (actions.has(phrase)) {
      if (!actionsDone) parts.push(`an action (${group(current().namedActions)})`);
      actionsDone = true;
    } else {
      parts.push(quote(phrase));
    }
  }
  if (choice.endOfLine) parts.push(END_OF_LINE);
  return joinOr(parts);
}

function group(phrases: readonly Phrase[]): string {
  const named = phrases.slice(0, NAMED).map(quote).join(', ');
  return phrases.length > NAMED ? `${named}, … ${phrases.length} in all` : named;
}

export function joinOr(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}
