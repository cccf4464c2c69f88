// The keyword phrases of the language and how a set of them is named in error messages.

export type Phrase = readonly string[];

export const WHEN: Phrase = ['when'];
export const THEN: Phrase = ['then'];
export const AND: Phrase = ['and'];
export const SUBJECT_CONTAINS: Phrase = ['subject', 'contains'];
export const COMPANY_MATCHED: Phrase = ['company', 'matched', 'to', 'project'];
export const ATTACH_TO_PROJECT: Phrase = ['attach', 'to', 'project'];
export const CREATE_REQUEST: Phrase = ['create', 'request', 'in', 'project'];
export const CREATE_PRIVATE_REQUEST: Phrase = ['create', 'private', 'request', 'in', 'project'];
export const CREATE_PUBLIC_REQUEST: Phrase = ['create', 'public', 'request', 'in', 'project'];
export const ATTACH_TO_TEAM: Phrase = ['attach', 'request', 'to', 'team'];

export const CONDITIONS: readonly Phrase[] = [SUBJECT_CONTAINS, COMPANY_MATCHED];
export const ACTIONS: readonly Phrase[] = [
  ATTACH_TO_PROJECT,
  CREATE_REQUEST,
  CREATE_PRIVATE_REQUEST,
  CREATE_PUBLIC_REQUEST,
];

/**
 * Every keyword phrase of the language, for tools outside the parser (the web editor highlights and
 * completes from it): a phrase added to the lists above appears there without touching the tools.
 */
export const PHRASES: readonly Phrase[] = [WHEN, THEN, AND, ...CONDITIONS, ...ACTIONS, ATTACH_TO_TEAM];

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

/**
 * The same list for a sentence, with the condition and action phrases each named as a group:
 * "'and', 'then' or a condition ('subject contains', 'company matched to project')".
 */
export function describeChoice(choice: Choice): string {
  const parts: string[] = [];
  let conditionsDone = false;
  let actionsDone = false;
  for (const phrase of choice.phrases) {
    if (CONDITIONS.includes(phrase)) {
      if (!conditionsDone) parts.push(`a condition (${CONDITIONS.map(quote).join(', ')})`);
      conditionsDone = true;
    } else if (ACTIONS.includes(phrase)) {
      if (!actionsDone) {
        parts.push(`an action ('attach to project', 'create [private|public] request in project')`);
      }
      actionsDone = true;
    } else {
      parts.push(quote(phrase));
    }
  }
  if (choice.endOfLine) parts.push(END_OF_LINE);
  return joinOr(parts);
}

export function joinOr(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}
