// Reading a rules file and reporting its problems the way compilers do: FILE:LINE:COL: message.
import { readFileSync } from 'node:fs';
import { formatRuleError, type RuleError, type RuleWarning } from '../rules/index.js';
import { UserError } from './context.js';

export function readRulesFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read rules file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
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
