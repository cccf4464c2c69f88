// Reading a rules file named on the command line and printing its warnings the way compilers do:
// FILE:LINE:COL: message.
import { readFileSync } from 'node:fs';
import { userError } from '../app/errors.js';
import { decodeRulesFile, type RuleWarning } from '../app/rules.js';

/** The text of a rules file; a byte that is not UTF-8 is an error located at FILE:LINE:COL. */
export function readRulesFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw userError(`cannot read rules file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return decodeRulesFile(bytes, path);
}

export function printWarnings(warnings: RuleWarning[], file: string): void {
  for (const w of warnings) process.stderr.write(`${file}:${w.line}:${w.column}: warning: ${w.message}\n`);
}
