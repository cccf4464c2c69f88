// Save-time warnings for names that name nothing: project ids and codes, team ids, staff emails,
// reply templates.
// Warnings, not errors: a project may be created after the rule, and TargetProcess never checked at all.

import type { Clause, Expr, ProjectRef, ReferenceChecks, RuleSet, RuleWarning, Span } from './types.js';

export function checkReferences(ruleSet: RuleSet, refs: ReferenceChecks): RuleWarning[] {
  const warnings: RuleWarning[] = [];
  for (const rule of ruleSet.rules) {
    const clauses: Clause[] = [];
    const visit = (e: Expr): void => {
      if (e.kind === 'condition') clauses.push(e.condition);
      else if (e.kind === 'not') visit(e.item);
      else e.items.forEach(visit);
    };
    if (rule.when) visit(rule.when);
    clauses.push(...rule.actions);
    for (const clause of clauses) {
      clause.args.forEach((arg, i) => {
        const problem = check(clause.kind, arg, refs);
        if (!problem) return;
        const at: Span | null | undefined = clause.argSpans?.[i];
        warnings.push({ line: rule.line, column: at ? at.column : clause.span.column, message: problem });
      });
    }
  }
  return warnings;
}

// Slots are typed by their definition; their values tell their kind well enough here: a project
// reference is an object with id or code, a team id is the number of `attach request to team`, an
// assignee the text of `assign to`.
function check(kind: string, arg: unknown, refs: ReferenceChecks): string | undefined {
  if (kind.startsWith('attach request to team')) {
    return typeof arg === 'number' && !refs.teamExists(arg) ? `team ${arg} does not exist` : undefined;
  }
  if (kind.startsWith('reply with template')) {
    const name = typeof arg === 'string' ? arg.trim() : '';
    if (/(?<!\\)\{/.test(name)) return undefined;
    return name && refs.templateExists && !refs.templateExists(name) ? `the profile has no template named '${name}': the reply is recorded as skipped until one is saved` : undefined;
  }
  if (kind.startsWith('assign to')) {
    const email = typeof arg === 'string' ? arg.trim().toLowerCase() : '';
    // An address made from a {capture} is known only per message.
    if (/(?<!\\)\{/.test(email)) return undefined;
    return email && refs.staffExists && !refs.staffExists(email) ? `no staff user has the email ${email}: the item is left unassigned` : undefined;
  }
  if (arg && typeof arg === 'object' && ('id' in arg || 'code' in arg) && kind.includes('{project}')) {
    const ref = arg as ProjectRef;
    if ('id' in ref) return refs.projectExists(ref.id) ? undefined : `project ${ref.id} does not exist`;
    if ('code' in ref && refs.projectCodeExists && !refs.projectCodeExists(ref.code)) return `no project has the code ${ref.code}`;
  }
  return undefined;
}
