// `mailbind rules check|test|format`: the rule language outside any profile, and the dry run; and a
// profile's rules history and the preview (rules-history.ts).
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { userError } from '../app/errors.js';
import { action, jsonOption, parseId, printJson, withApp, type Opts } from './context.js';
import { explainDryRun } from './output.js';
import { readRulesFile } from './rules-file.js';
import { addRulesHistoryCommands } from './rules-history.js';

export function rulesCommand(): Command {
  const rules = new Command('rules').description('check, test and format rules');

  jsonOption(rules.command('check <file>').description('exit 0 when every rule is valid; else one FILE:LINE:COL line per error'))
    .action(
      action(async (file: string, opts: Opts) => {
        const { checkRulesText, rulesErrorText } = await import('../app/rules.js');
        const check = checkRulesText(readRulesFile(file));
        if (opts.json) printJson({ ok: check.ok, rules: check.rules, errors: check.errors });
        else if (!check.ok) process.stderr.write(rulesErrorText(check.errors, file) + '\n');
        else process.stdout.write(`${file}: ${check.rules} rule${check.rules === 1 ? '' : 's'}, no errors\n`);
        if (!check.ok) process.exitCode = 1;
      }),
    );

  rules.command('format <file>').description('print the rules in canonical form')
    .action(
      action(async (file: string) => {
        const { formatRulesText } = await import('../app/rules.js');
        process.stdout.write(formatRulesText(readRulesFile(file), file) + '\n');
      }),
    );

  jsonOption(rules.command('test [message]').description('dry run: which rule matches a message (a file, or a stored one) and what it would do; changes nothing'))
    .option('--message-id <id>', 'a stored message (its number in messages list) instead of a file')
    .option('--profile <name>', "profile whose rules and mailbox addresses to use (a stored message's own by default)")
    .option('--rules-file <file>', "test these rules (instead of the profile's, or without a profile)")
    .action(
      action(async (messagePath: string | undefined, opts: Opts) => {
        if ((messagePath === undefined) === (opts.messageId === undefined)) {
          throw userError('rules test needs a message: a FILE, or --message-id N for a stored one (not both)');
        }
        const itemId = opts.messageId !== undefined ? parseId(opts.messageId, '--message-id') : undefined;
        if (!opts.profile && !opts.rulesFile && itemId === undefined) throw userError('rules test needs --profile NAME, --rules-file FILE, or both');
        const raw = messagePath !== undefined ? readMessageFile(messagePath) : undefined;
        const rulesInput = opts.rulesFile ? { text: readRulesFile(opts.rulesFile), label: opts.rulesFile as string } : undefined;
        const { dryRun } = await import('../app/dry-run.js');
        const view = await withApp(opts, 'read', (app) =>
          dryRun(app, {
            ...(raw ? { raw } : {}),
            ...(itemId !== undefined ? { itemId } : {}),
            ...(opts.profile ? { profile: opts.profile as string } : {}),
            ...(rulesInput ? { rules: rulesInput } : {}),
          }),
        );
        if (opts.json) printJson(view);
        else process.stdout.write(explainDryRun(view));
      }),
    );

  addRulesHistoryCommands(rules);
  return rules;
}

function readMessageFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw userError(`cannot read message ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}
