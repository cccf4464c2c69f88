// `mailbind check --protocol … --host …`: Check Connection on settings that are not saved yet.
import { Command } from 'commander';
import { checkConnection } from '../sources/check.js';
import { resolveSettings, SettingsError, validateSettings, type SourceSettingsInput } from '../sources/settings.js';
import { action, common, printJson, UserError } from './context.js';
import { printCheck } from './check-output.js';
import { addSourceOptions, sourceInputFromOptions } from './source-options.js';

export function checkCommand(): Command {
  return addSourceOptions(common(new Command('check').description('check mailbox settings step by step without saving them')))
    .action(
      action(async (opts: Record<string, any>) => {
        const input = sourceInputFromOptions(opts);
        let settings;
        try {
          const valid = validateSettings(input as SourceSettingsInput);
          settings = resolveSettings(valid, valid.password ?? '');
        } catch (error) {
          if (error instanceof SettingsError) {
            if (opts.json) {
              printJson({ ok: false, steps: [{ step: 'settings', ok: false, ms: 0, message: error.message, field: error.field }] });
              process.exitCode = 1;
              return;
            }
            throw new UserError(error.message);
          }
          throw error;
        }
        const result = await checkConnection(settings, {}, opts.json ? undefined : printCheck);
        if (opts.json) printJson(result);
        if (!result.ok) process.exitCode = 1;
      }),
    );
}
