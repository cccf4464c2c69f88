// Reading a rules file and reporting its problems the way compilers do: FILE:LINE:COL: message.
import { readFileSync } from 'node:fs';
import { decodeRuleText, formatRuleError, type RuleError, type RuleWarning } from '../rules/index.js';
import { UserError } from './context.js';

/** The text of a rules file; a byte that is not UTF-8 is an error located at FILE:LINE:COL. */
export function readRulesFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UserError(`cannot read rules file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const decoded = decodeRuleText(bytes);
  if (!decoded.ok) throw new UserError(`cannot read rules file ${path}\n${formatRuleError(decoded.error, path)}`);
  return decoded.text;
}

export function rulesErrorText(errors: RuleError[], file: string): string {
  return errors.map((e) => formatRuleError(e, file)).join('\n');
}

export function printWarnings(warnings: RuleWarning[], file: string): void {
  for (const w of warnings) process.stderr.write(`${file}:${w.line}:${w.column}: warning: ${w.message}\n`);
}

export class RulesInvalidError extends UserError {
  constructor(errors: RuleError[], file: string) {
    super(`the rules in ${file} have ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was changed\n${rulesErrorText(errors, file)}`);
  }
}
