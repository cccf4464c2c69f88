// Rules outside processing: check a rule text (errors, and warnings for ids the tracker does not
// know), format it, and the refusal that keeps a profile's old rules when new ones have errors.
import { checkReferences, decodeRuleText, formatRuleError, formatRules, parseRules, type RuleError, type RuleSet, type RuleWarning } from '../rules/index.js';
import type { Tracker } from '../tracker/port.js';
import { userError, type AppError } from './errors.js';

export type { RuleError, RuleWarning };

export interface RulesCheckView {
  ok: boolean;
  /** How many rules parsed. */
  rules: number;
  errors: RuleError[];
  /** Project or team ids the tracker does not know (the project may be created later). */
  warnings: RuleWarning[];
}

/** Rule text from a file's bytes; a byte that is not UTF-8 is a user error at LABEL:LINE:COL. */
export function decodeRulesFile(bytes: Uint8Array, label: string): string {
  const decoded = decodeRuleText(bytes);
  if (!decoded.ok) throw userError(`cannot read rules file ${label}\n${formatRuleError(decoded.error, label)}`);
  return decoded.text;
}

/** Parse only: what `rules check` says without a tracker. */
export function checkRulesText(text: string): RulesCheckView {
  const { ruleSet, errors } = parseRules(text);
  return { ok: errors.length === 0, rules: ruleSet.rules.length, errors, warnings: [] };
}

/** Parse, then ask the tracker about every project and team id the rules name. */
/** `templates`: the lowercased names of the profile's reply templates, to warn of one a rule names that is not there. */
export async function checkRulesAgainst(tracker: Tracker, text: string, templates?: ReadonlySet<string>): Promise<RulesCheckView> {
  const { ruleSet, errors } = parseRules(text);
  if (errors.length) return { ok: false, rules: ruleSet.rules.length, errors, warnings: [] };
  const snapshot = await tracker.snapshot({ emails: [], itemIds: [], messageIds: [] });
  const warnings = checkReferences(ruleSet, {
    projectExists: (id) => snapshot.project(id)?.live === true,
    teamExists: (id) => snapshot.teamExists(id),
    projectCodeExists: (code) => snapshot.projectByCode(code)?.live === true,
    staffExists: (email) => snapshot.staffByEmail(email) !== undefined,
    ...(templates ? { templateExists: (name: string) => templates.has(name.toLowerCase()) } : {}),
  });
  return { ok: true, rules: ruleSet.rules.length, errors, warnings };
}

/** Every error as `LABEL:LINE:COL: message`, one per line. */
export function rulesErrorText(errors: RuleError[], label: string): string {
  return errors.map((e) => formatRuleError(e, label)).join('\n');
}

/** The refusal of a rule text with errors; whatever was saved before stays. */
export function rulesInvalid(errors: RuleError[], label: string): AppError {
  return userError(
    `the rules in ${label} have ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was changed\n${rulesErrorText(errors, label)}`,
    { ruleErrors: errors },
  );
}

/** Rules to try without saving them (a dry run, a preview); refused with every error. */
export function rulesToTry(text: string, label: string): RuleSet {
  const { ruleSet, errors } = parseRules(text);
  if (errors.length) throw userError(`the rules have errors:\n${rulesErrorText(errors, label)}`, { ruleErrors: errors });
  return ruleSet;
}

/** The canonical form of a rule text; refused while it has errors. */
export function formatRulesText(text: string, label: string): string {
  const { ruleSet, errors } = parseRules(text);
  if (errors.length) throw userError(`cannot format rules with errors:\n${rulesErrorText(errors, label)}`, { ruleErrors: errors });
  return formatRules(ruleSet);
}
