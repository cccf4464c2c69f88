// The canonical spelling of rules: lowercase keywords, single spaces, an explicit 'and' between clauses.
// Used to store and show rules uniformly; parsing the output gives back the same rules.

import { quoteKeywords } from './keywords.js';
import type { ActionShape, Condition, Rule, RuleSet } from './types.js';

/**
 * One rule per line, joined with '\n' (no trailing newline). Comments and blank lines are not part of a
 * RuleSet, so they are not kept; neither are the original line numbers.
 */
export function formatRules(ruleSet: RuleSet): string {
  return ruleSet.rules.map(formatRule).join('\n');
}

export function formatRule(rule: Rule): string {
  const then = `then ${rule.actions.map(actionToText).join(' and ')}`;
  if (rule.conditions.length === 0) return then;
  return `when ${rule.conditions.map(conditionToText).join(' and ')} ${then}`;
}

export function conditionToText(c: Condition): string {
  return c.kind === 'subjectContains'
    ? `subject contains ${quoteKeywords(c.keywords)}`
    : `company matched to project ${c.projectId}`;
}

/** Plain 'create request' is TargetProcess's spelling of a private request, so private is written that way. */
export function actionToText(a: ActionShape): string {
  if (a.kind === 'attachToProject') return `attach to project ${a.projectId}`;
  const create = a.visibility === 'public' ? 'create public request' : 'create request';
  const team = a.teamId === null ? '' : ` and attach request to team ${a.teamId}`;
  return `${create} in project ${a.projectId}${team}`;
}
