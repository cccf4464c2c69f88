// `mailbind config export|apply`: the companies, projects, teams, users and profiles (with their rules)
// as one YAML file, to keep in version control and apply to any data directory.
import { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import type { ConfigChange } from '../app/config/apply.js';
import { userError } from '../app/errors.js';
import { cliPrincipal } from '../app/principal.js';
import { action, jsonOption, printJson, withApp, type Opts } from './context.js';

function describeChange(c: ConfigChange): string {
  return `${c.change.padEnd(9)} ${c.kind} ${c.name}${c.fields?.length ? ` (${c.fields.join(', ')})` : ''}`;
}

const COUNTED = { create: ['to create', 'created'], update: ['to update', 'updated'], delete: ['to delete', 'deleted'], unchanged: ['unchanged', 'unchanged'] } as const;

function summary(changes: ConfigChange[], dryRun: boolean): string {
  const parts = (Object.keys(COUNTED) as Array<keyof typeof COUNTED>)
    .map((what) => [changes.filter((c) => c.change === what).length, COUNTED[what][dryRun ? 0 : 1]] as const)
    .filter(([n]) => n > 0)
    .map(([n, word]) => `${n} ${word}`);
  const text = parts.join(', ') || 'nothing in the file';
  return dryRun ? `dry run: ${text}; nothing was changed` : text;
}

export function configCommand(): Command {
  const config = new Command('config').description('configuration as code: export the database as YAML, apply a YAML file');

  config
    .command('export')
    .description('write companies, projects, teams, users and profiles with their rules as YAML (passwords never: each is named by passwordEnv)')
    .option('--file <file>', 'write here instead of standard output')
    .action(action(async (opts: Opts) => {
      const { exportConfig } = await import('../app/config/export.js');
      const text = await withApp(opts, 'read', exportConfig);
      if (opts.file) writeFileSync(opts.file, text);
      else process.stdout.write(text);
    }));

  jsonOption(config.command('apply <file>'))
    .description(
      'make the database match the file: create what is new, update what differs, print each change. ' +
        'Refused with every error if any part is invalid (nothing changes then). Objects missing from the file ' +
        'stay unless --prune is given. Passwords are read from the environment variables named by passwordEnv.',
    )
    .option('--dry-run', 'print what would change; change nothing')
    .option('--prune', 'also delete what the file does not list (profiles, users, teams, companies; projects are marked deleted)')
    .action(action(async (file: string, opts: Opts) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw userError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
      }
      const dryRun = Boolean(opts.dryRun);
      const { applyConfig } = await import('../app/config/apply.js');
      const result = await withApp(opts, dryRun ? 'read' : 'write', (app) => applyConfig(app, text, cliPrincipal(), { dryRun, prune: Boolean(opts.prune) }));
      if (opts.json) return printJson({ dryRun, changes: result.changes });
      for (const change of result.changes) process.stdout.write(describeChange(change) + '\n');
      process.stdout.write(summary(result.changes, dryRun) + '\n');
    }));
  return config;
}
