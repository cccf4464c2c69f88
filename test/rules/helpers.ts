// Shared by the rule tests: ASTs without positions, so tables can state meaning only.

import type { Action, Condition, RuleSet } from '../../src/rules/index.js';

export type PlainCondition =
  | { kind: 'subjectContains'; keywords: string[] }
  | { kind: 'companyMatched'; projectId: number };
export type PlainAction =
  | { kind: 'attachToProject'; projectId: number }
  | { kind: 'createRequest'; projectId: number; visibility: 'private' | 'public'; teamId: number | null };
export interface PlainRule {
  conditions: PlainCondition[];
  actions: PlainAction[];
}

export function plain(ruleSet: RuleSet): PlainRule[] {
  return ruleSet.rules.map((r) => ({
    conditions: r.conditions.map(dropSpan) as PlainCondition[],
    actions: r.actions.map(dropSpan) as PlainAction[],
  }));
}

function dropSpan<T extends Condition | Action>(x: T): Omit<T, 'span'> {
  const { span: _span, ...rest } = x;
  return rest;
}

export const subject = (...keywords: string[]): PlainCondition => ({ kind: 'subjectContains', keywords });
export const company = (projectId: number): PlainCondition => ({ kind: 'companyMatched', projectId });
export const attach = (projectId: number): PlainAction => ({ kind: 'attachToProject', projectId });
export const create = (
  projectId: number,
  visibility: 'private' | 'public' = 'private',
  teamId: number | null = null,
): PlainAction => ({ kind: 'createRequest', projectId, visibility, teamId });
