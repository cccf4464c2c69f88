// `mailbind rules history|show|diff|restore|preview`: a profile's saved rules versions, and what new
// rules would change in its last messages before they are saved.
import type { Command } from 'commander';
import { cliPrincipal } from '../app/principal.js';
import type { RulesVersionView } from '../app/rules-history.js';
import type { PreviewReport } from '../app/rules-preview.js';
import { action, jsonOption, parseId, printJson, withApp, type Opts } from './context.js';
import { printWarnings, readRulesFile } from './rules-file.js';

export function addRulesHistoryCommands(rules: Command): void {
  jsonOption(rules.command('history <profile>').description("a profile's saved rules versions, newest first"))
    .action(
      action(async (profile: string, opts: Opts) => {
        const { listRulesVersions } = await import('../app/rules-history.js');
        const versions = await withApp(opts, 'read', (app) => listRulesVersions(app, profile));
        if (opts.json) printJson(versions);
        else for (const v of versions) process.stdout.write(versionLine(v) + '\n');
      }),
    );

  jsonOption(rules.command('show <profile> <version>').description('the text of one saved rules version'))
    .action(
      action(async (profile: string, version: string, opts: Opts) => {
        const number = parseId(version, 'version');
        const { getRulesVersion } = await import('../app/rules-history.js');
        const found = await withApp(opts, 'read', (app) => getRulesVersion(app, profile, number));
        if (opts.json) printJson(found);
        else process.stdout.write(found.rules.endsWith('\n') || found.rules === '' ? found.rules : found.rules + '\n');
      }),
    );

  jsonOption(rules.command('diff <profile> <from> <to>').description('what changed between two saved rules versions (unified diff)'))
    .action(
      action(async (profile: string, from: string, to: string, opts: Opts) => {
        const [a, b] = [parseId(from, 'from version'), parseId(to, 'to version')];
        const { diffRulesVersions } = await import('../app/rules-history.js');
        const diff = await withApp(opts, 'read', (app) => diffRulesVersions(app, profile, a, b));
        if (opts.json) printJson(diff);
        else process.stdout.write(diff.unified || `versions ${a} and ${b} are the same\n`);
      }),
    );

  jsonOption(rules.command('restore <profile> <version>').description('make an old version the current rules again (saved as a new version)'))
    .option('--comment <text>', "why (default: 'restored version N')")
    .action(
      action(async (profile: string, version: string, opts: Opts) => {
        const number = parseId(version, 'version');
        const { restoreRulesVersion } = await import('../app/rules-history.js');
        const saved = await withApp(opts, 'write', (app) => restoreRulesVersion(app, profile, number, cliPrincipal(), opts.comment as string | undefined));
        printWarnings(saved.warnings, `version ${number}`);
        for (const note of saved.notes) process.stderr.write(`mailbind: ${note}\n`);
        if (opts.json) printJson(saved.profile);
        else if (!saved.notes.length) process.stdout.write(`restored version ${number} as version ${saved.profile.rulesVersion}\n`);
      }),
    );

  jsonOption(rules.command('preview <profile>').description("which of the profile's last messages new rules would treat differently; changes nothing"))
    .requiredOption('--rules-file <file>', 'the new rules')
    .option('--last <n>', 'how many of the newest messages to look at', '100')
    .action(
      action(async (profile: string, opts: Opts) => {
        const last = parseId(opts.last, '--last');
        const rules = { text: readRulesFile(opts.rulesFile), label: opts.rulesFile as string };
        const { previewRules } = await import('../app/rules-preview.js');
        const report = await withApp(opts, 'read', (app) => previewRules(app, { profile, rules, last }));
        if (opts.json) printJson(report);
        else process.stdout.write(describePreview(report));
      }),
    );
}

function versionLine(v: RulesVersionView): string {
  const lines = `${v.lines} line${v.lines === 1 ? '' : 's'}`;
  return `${String(v.version).padStart(4)}${v.current ? ' *' : '  '} ${v.createdAt}  ${v.author}  ${lines}${v.comment ? `  ${v.comment}` : ''}`;
}

function describePreview(report: PreviewReport): string {
  const out: string[] = [];
  for (const c of report.changed) {
    const was = (d: { outcome: string; actions: string[] }) => (d.actions.length ? `${d.outcome}: ${d.actions.join(', ')}` : d.outcome);
    out.push(`#${c.itemId} ${c.subject ?? '(no subject)'} — ${c.from ?? '(unknown sender)'}`);
    out.push(`    now:  ${was(c.before)}`);
    out.push(`    new:  ${was(c.after)}`);
  }
  const unreadable = report.unreadable ? `, ${report.unreadable} unreadable` : '';
  out.push(`${report.changed.length} of ${report.examined} message${report.examined === 1 ? '' : 's'} would change${unreadable} (${report.ms} ms)`);
  return out.join('\n') + '\n';
}
