// `mailbind check --protocol … --host …`: Check Connection on settings that are not saved yet, and
// the printing of its steps as they complete (also used by `profile check`).
import { Command } from 'commander';
import type { CheckResult, CheckStep } from '../app/check.js';
import { action, jsonOption, printJson, type Opts } from './context.js';
import { addSourceOptions, sourceInputFromOptions } from './source-options.js';

export function printCheckStep(step: CheckStep): void {
  const mark = step.ok ? 'ok  ' : 'FAIL';
  // An OAuth2 failure's message already says what to do (sign in again, fix the app's client secret):
  // 'the oauth setting' would name no flag.
  const fix = step.ok || !step.field || step.field === 'oauth' ? '' : `  (check the ${step.field} setting)`;
  process.stdout.write(`${mark} ${step.step.padEnd(12)} ${String(step.ms).padStart(5)} ms  ${step.message}${fix}\n`);
}

/** Steps print as they complete; with --json the whole result prints at the end. */
export function reportCheck(result: CheckResult, json: boolean | undefined): void {
  if (json) printJson(result);
  if (!result.ok) process.exitCode = 1;
}

export function checkCommand(): Command {
  return addSourceOptions(jsonOption(new Command('check').description('check mailbox settings step by step without saving them')))
    .action(
      action(async (opts: Opts) => {
        const input = sourceInputFromOptions(opts);
        const { checkUnsavedSettings } = await import('../app/check.js');
        reportCheck(await checkUnsavedSettings(input, opts.json ? undefined : printCheckStep), opts.json);
      }),
    );
}
