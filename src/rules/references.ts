// Save-time warnings for ids that name no project or team. Warnings, not errors: a project may be created
// after the rule, and TargetProcess never checked at all.

import { tokenize } from './lexer.js';
import type { ReferenceChecks, RuleSet, RuleWarning } from './types.js';

interface Reference {
  kind: 'project' | 'team';
  id: number;
  /** the clause's column, used when the id itself cannot be located */
  column: number;
}

export function checkReferences(ruleSet: RuleSet, refs: ReferenceChecks): RuleWarning[] {
  const warnings: RuleWarning[] = [];
  for (const rule of ruleSet.rules) {
    const references: Reference[] = [];
    for (const c of rule.conditions) {
      if (c.kind === 'companyMatched') references.push({ kind: 'project', id: c.projectId, column: c.span.column });
    }
    for (const a of rule.actions) {
      references.push({ kind: 'project', id: a.projectId, column: a.span.column });
      if (a.kind === 'createRequest' && a.teamId !== null) {
        references.push({ kind: 'team', id: a.teamId, column: a.span.column });
      }
    }
    // The AST keeps clause spans only. Ids are the only number tokens of a line and appear in the same
    // order as the references above, so re-reading the source points each warning at its id.
    const numbers = tokenize(rule.source).filter((t) => t.kind === 'number');
    const exact = numbers.length === references.length && numbers.every((t, i) => Number(t.text) === references[i]!.id);
    references.forEach((r, i) => {
      const exists = r.kind === 'project' ? refs.projectExists(r.id) : refs.teamExists(r.id);
      if (exists) return;
      warnings.push({
        line: rule.line,
        column: exact ? numbers[i]!.start + 1 : r.column,
        message: `${r.kind} ${r.id} does not exist`,
      });
    });
  }
  return warnings;
}
