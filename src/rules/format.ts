// The canonical spelling of rules: lowercase keywords, single spaces, an explicit 'and' between clauses,
// parentheses only where `or` sits inside `and` or under `not`. Used to store and show rules uniformly;
// parsing the output gives back the same rules.

import type { Defined } from './language.js';
import type { Pattern } from './pattern.js';
import { quoteText } from './keywords.js';
import { slotText } from './slots.js';
import type { Clause, Effect, Expr, Rule, RuleSet } from './types.js';
import { vocabulary } from './vocabulary.js';

/**
 * One rule per line, joined with '\n' (no trailing newline). Comments and blank lines are not part of a
 * RuleSet, so they are not kept; neither are the original line numbers.
 */
export function formatRules(ruleSet: RuleSet): string {
  return ruleSet.rules.map(formatRule).join('\n');
}

export function formatRule(rule: Rule): string {
  const then = `then ${rule.actions.map(actionToText).join(' and ')}`;
  if (!rule.when) return then;
  return `when ${exprToText(rule.when)} ${then}`;
}

export function exprToText(e: Expr): string {
  switch (e.kind) {
    case 'condition':
      return conditionToText(e.condition);
    case 'not':
      return `not ${e.item.kind === 'and' || e.item.kind === 'or' ? `(${exprToText(e.item)})` : exprToText(e.item)}`;
    case 'and':
      return e.items.map((i) => (i.kind === 'or' ? `(${exprToText(i)})` : exprToText(i))).join(' and ');
    case 'or':
      return e.items.map(exprToText).join(' or ');
  }
}

export function conditionToText(c: Clause): string {
  return clauseText(vocabulary().conditions.get(c.kind), c);
}

export function actionToText(a: Omit<Clause, 'span'>): string {
  return clauseText(vocabulary().actions.get(a.kind), a);
}

function clauseText(defined: Defined<unknown> | undefined, c: Omit<Clause, 'span'>): string {
  // A clause of a plugin that is no longer loaded is shown as it was stored.
  if (!defined) return `${c.kind} ${JSON.stringify(c.args)}`;
  return patternText(defined.canonical, c.args);
}

function patternText(pattern: Pattern, args: Clause['args']): string {
  const out: string[] = [];
  let i = 0;
  for (const part of pattern.parts) {
    if ('words' in part) out.push(part.words.join(' '));
    else if ('optional' in part) {
      const value = args[i++];
      if (value !== null && value !== undefined) out.push(part.optional.join(' '), slotText(part.slot, value));
    } else out.push(slotText(part.slot, args[i++]!));
  }
  return out.join(' ');
}

const ITEM_WORDS = { request: 'request', story: 'user story', bug: 'bug', task: 'task' } as const;

/** A matched rule's effect in the rule language's words, as plans show it. */
export function effectToText(effect: Effect): string {
  switch (effect.kind) {
    case 'attach':
      return `attach to project ${effect.projectId}`;
    case 'ignore':
      return effect.reason === null ? 'ignore' : `ignore because ${quoteText(effect.reason)}`;
    case 'reply':
      return `reply with template ${quoteText(effect.template)}`;
    case 'create': {
      const words = effect.item === 'request' && effect.visibility === 'public' ? 'public request' : ITEM_WORDS[effect.item];
      const s = effect.settings;
      const parts = [`create ${words} in project ${effect.projectId}${effect.title !== null ? ` with title ${quoteText(effect.title)}` : ''}`];
      if (effect.teamId !== null) parts.push(`attach request to team ${effect.teamId}`);
      if (s.assignee) parts.push(`assign to ${quoteText(s.assignee.email)}`);
      for (const key of ['priority', 'severity', 'state'] as const) if (s[key] !== null) parts.push(`set ${key} ${quoteText(s[key]!)}`);
      for (const tag of s.tags) parts.push(`add tag ${quoteText(tag)}`);
      for (const [name, value] of Object.entries(s.fields)) parts.push(`set field ${quoteText(name)} to ${quoteText(value)}`);
      return parts.join(' and ');
    }
  }
}
