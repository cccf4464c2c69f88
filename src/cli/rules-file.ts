// Reading a rules file named on the command line and printing its warnings the way compilers do:
// FILE:LINE:COL: message.
import { readFileSync } from 'node:fs';
import { userError } from '../app/errors.js';
import type { RuleWarning } from '../app/rules.js';

export function readRulesFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw userError(`cannot read rules file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

export function printWarnings(warnings: RuleWarning[], file: string): void {
  for (const w of warnings) process.stderr.write(`${file}:${w.line}:${w.column}: warning: ${w.message}\n`);
}
