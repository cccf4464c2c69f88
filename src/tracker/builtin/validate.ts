// The words the builtin tracker refuses input with: each problem names the field to fix, so a face can
// show it next to that field (the API's {field, message}, config apply's YAML path).
import { projectCodeProblem } from '../../rules/index.js';

export interface FieldProblem {
  field: string;
  message: string;
}

export type TrackerInputReason =
  /** The input is not usable (an empty name, a malformed address). */
  | 'invalid'
  /** A name, address or domain another object has. */
  | 'taken'
  /** What the input names does not exist. */
  | 'missing'
  /** Still referred to by other objects, so it cannot go. */
  | 'in-use';

export class TrackerInputError extends Error {
  constructor(
    message: string,
    readonly reason: TrackerInputReason = 'invalid',
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** One problem with one field, as an error. */
export function fieldError(field: string, message: string, reason: TrackerInputReason = 'invalid'): TrackerInputError {
  return new TrackerInputError(message, reason, [{ field, message }]);
}

const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9-]+\.)*[a-z0-9-]+$/;

/** Trimmed and lowercased (addresses compare case-insensitively), or the problem with it. */
export function checkEmail(raw: string | undefined): { email: string } | { problem: string } {
  const email = (raw ?? '').trim().toLowerCase();
  if (!email) return { problem: 'Email should not be empty' };
  if (!EMAIL.test(email)) return { problem: `'${raw}' is not an email address` };
  return { email };
}

export function checkName(raw: string | undefined): { name: string } | { problem: string } {
  const name = (raw ?? '').trim();
  return name ? { name } : { problem: 'Name should not be empty' };
}

/** Lowercased, without a leading '@', duplicates dropped; every malformed one is a problem. */
export function checkDomains(raw: readonly string[]): { domains: string[]; problems: string[] } {
  const domains: string[] = [];
  const problems: string[] = [];
  for (const entry of raw) {
    const domain = entry.trim().toLowerCase().replace(/^@/, '');
    if (!DOMAIN.test(domain)) problems.push(`'${entry}' is not a domain name`);
    else if (!domains.includes(domain)) domains.push(domain);
  }
  return { domains, problems };
}

export function requireEmail(raw: string | undefined, field = 'email'): string {
  const checked = checkEmail(raw);
  if ('problem' in checked) throw fieldError(field, checked.problem);
  return checked.email;
}

export function requireName(raw: string | undefined, field = 'name'): string {
  const checked = checkName(raw);
  if ('problem' in checked) throw fieldError(field, checked.problem);
  return checked.name;
}

export function requireDomains(raw: readonly string[], field = 'domains'): string[] {
  const { domains, problems } = checkDomains(raw);
  if (problems.length) throw new TrackerInputError(problems.join('; '), 'invalid', problems.map((message) => ({ field, message })));
  return domains;
}

/** A project code as typed (trimmed): 2–20 letters, digits or _, starting with a letter, as `ACME` or `web_2`. */
export function requireProjectCode(raw: string, field = 'code'): string {
  const code = raw.trim();
  if (!code) throw fieldError(field, 'Code should not be empty');
  // Rules name projects by code (`in project ACME`): the rule language decides what a code can be.
  const problem = projectCodeProblem(code);
  if (problem) throw fieldError(field, `'${raw}' is not a project code: ${problem}`);
  return code;
}
