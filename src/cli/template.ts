// `mailbind profile template list|show|set|remove PROFILE [NAME]`: a profile's reply templates. `set`
// reads the bodies from files; an unknown placeholder is refused with its field, line and column.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { userError } from '../app/errors.js';
import { cliPrincipal } from '../app/principal.js';
import type { TemplateView } from '../app/templates.js';
import { action, jsonOption, printJson, withApp, type Opts } from './context.js';

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw userError(`${flag} ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

function describe(t: TemplateView): string {
  return [`template: ${t.name}${t.builtIn ? ' (built in)' : ''}`, `subject:  ${t.subject}`, 'text:', ...t.text.split('\n').map((l) => `  ${l}`),
    ...(t.html !== null ? ['html:', ...t.html.split('\n').map((l) => `  ${l}`)] : [])].join('\n') + '\n';
}

export function templateCommand(): Command {
  const template = new Command('template').description("a profile's reply templates (acknowledgements, `reply with template`)");

  jsonOption(template.command('list <profile>').description('list the templates (the built-in acknowledgement until the profile has its own)'))
    .action(action(async (profile: string, opts: Opts) => {
      const { listTemplates } = await import('../app/templates.js');
      const all = await withApp(opts, 'read', (app) => listTemplates(app, profile));
      if (opts.json) printJson(all);
      else for (const t of all) process.stdout.write(`${t.name}${t.builtIn ? ' (built in)' : ''}\t${t.subject}\n`);
    }));

  jsonOption(template.command('show <profile> <name>').description('show a template'))
    .action(action(async (profile: string, name: string, opts: Opts) => {
      const { showTemplate } = await import('../app/templates.js');
      const t = await withApp(opts, 'read', (app) => showTemplate(app, profile, name));
      if (opts.json) printJson(t);
      else process.stdout.write(describe(t));
    }));

  jsonOption(template.command('set <profile> <name>').description('create or replace a template; placeholders: {{item.id}} {{item.kind}} {{item.title}} {{project.name}} {{item.link}} {{requester.name}}'))
    .requiredOption('--subject <text>', 'the subject (placeholders allowed)')
    .requiredOption('--text-file <file>', 'the plain-text body')
    .option('--html-file <file>', 'an HTML body besides the text one (values are HTML-escaped)')
    .action(action(async (profile: string, name: string, opts: Opts) => {
      const input = {
        subject: opts.subject as string,
        text: readText(opts.textFile, '--text-file'),
        html: opts.htmlFile ? readText(opts.htmlFile, '--html-file') : null,
      };
      const { setTemplate } = await import('../app/templates.js');
      const saved = await withApp(opts, 'write', (app) => setTemplate(app, profile, name, input, cliPrincipal()));
      if (opts.json) printJson(saved);
      else process.stderr.write(`mailbind: template '${saved.template.name}' ${saved.created ? 'created' : 'replaced'}\n`);
    }));

  jsonOption(template.command('remove <profile> <name>').description('remove a template'))
    .action(action(async (profile: string, name: string, opts: Opts) => {
      const { removeTemplate } = await import('../app/templates.js');
      await withApp(opts, 'write', (app) => removeTemplate(app, profile, name, cliPrincipal()));
      if (opts.json) printJson({ removed: name });
      else process.stderr.write(`mailbind: template '${name}' removed\n`);
    }));
  return template;
}
