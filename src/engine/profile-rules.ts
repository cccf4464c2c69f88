// Saving rules: a rule set is stored only when every line parses; unknown project and team ids are
// warnings (the project may be created later), as DESIGN §4 says.
import { checkReferences, parseRules, type RuleError, type RuleWarning } from '../rules/index.js';
import type { Db } from '../store/database.js';

export interface RulesCheck {
  errors: RuleError[];
  warnings: RuleWarning[];
}

export async function checkRulesForSave(db: Db, text: string): Promise<RulesCheck> {
  const { ruleSet, errors } = parseRules(text);
  if (errors.length) return { errors, warnings: [] };
  const projects = new Set((await db.selectFrom('projects').select('id').where('deleted', '=', 0).execute()).map((p) => Number(p.id)));
  const teams = new Set((await db.selectFrom('teams').select('id').execute()).map((t) => Number(t.id)));
  const warnings = checkReferences(ruleSet, {
    projectExists: (id) => projects.has(id),
    teamExists: (id) => teams.has(id),
  });
  return { errors, warnings };
}
