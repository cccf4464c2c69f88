// `mailbind tracker …`: the builtin tracker's companies, projects, teams and people, and listings.
import { Command } from 'commander';
import { LISTABLE } from '../app/tracker-kinds.js';
import { action, jsonOption, parseId, printJson, withApp, type Opts } from './context.js';

function printCreated(opts: { json?: boolean }, created: { id: number }): void {
  if (opts.json) printJson(created);
  else process.stdout.write(`${created.id}\n`);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const admin = () => import('../app/tracker.js');

export function trackerCommand(): Command {
  const tracker = new Command('tracker').description("the builtin tracker's companies, projects, teams, people and items");

  const company = tracker.command('company').description('companies');
  jsonOption(company.command('add').description('add a company; its email domains put new senders in it'))
    .requiredOption('--name <name>', 'company name')
    .option('--domain <domain>', 'email domain of the company (repeatable)', collect, [])
    .action(action(async (opts: Opts) => {
      const { addCompany } = await admin();
      printCreated(opts, await withApp(opts, 'write', (app) => addCompany(app, { name: opts.name, domains: opts.domain })));
    }));

  const project = tracker.command('project').description('projects');
  jsonOption(project.command('add').description('add a project'))
    .requiredOption('--name <name>', 'project name')
    .option('--company <name>', 'the company the project belongs to')
    .action(action(async (opts: Opts) => {
      const { addProject } = await admin();
      printCreated(opts, await withApp(opts, 'write', (app) => addProject(app, { name: opts.name, company: opts.company })));
    }));
  for (const [verb, deleted, help] of [['delete', true, 'mark a project deleted: rules targeting only it are skipped'], ['restore', false, 'undo delete']] as const) {
    project.command(`${verb} <id>`).description(help)
      .action(action(async (id: string, opts: Opts) => {
        const projectId = parseId(id, 'project id');
        const { setProjectDeleted } = await admin();
        await withApp(opts, 'write', (app) => setProjectDeleted(app, projectId, deleted));
      }));
  }

  const team = tracker.command('team').description('teams');
  jsonOption(team.command('add').description('add a team'))
    .requiredOption('--name <name>', 'team name')
    .action(action(async (opts: Opts) => {
      const { addTeam } = await admin();
      printCreated(opts, await withApp(opts, 'write', (app) => addTeam(app, { name: opts.name })));
    }));

  const requester = tracker.command('requester').description('requesters (external people)');
  jsonOption(requester.command('add').description('add a requester'))
    .requiredOption('--email <email>', 'email address')
    .option('--name <name>', 'display name')
    .option('--company <name>', 'company name')
    .action(action(async (opts: Opts) => {
      const { addRequester } = await admin();
      printCreated(opts, await withApp(opts, 'write', (app) => addRequester(app, { email: opts.email, name: opts.name, company: opts.company })));
    }));

  const user = tracker.command('user').description('users (staff)');
  jsonOption(user.command('add').description('add a staff user'))
    .requiredOption('--email <email>', 'email address')
    .requiredOption('--name <name>', 'name')
    .action(action(async (opts: Opts) => {
      const { addUser } = await admin();
      printCreated(opts, await withApp(opts, 'write', (app) => addUser(app, { email: opts.email, name: opts.name })));
    }));

  jsonOption(tracker.command('list <what>').description(`list ${LISTABLE.join('|')}`))
    .option('--project <id>', 'only what belongs to this project')
    .action(
      action(async (what: string, opts: Opts) => {
        const filter = opts.project !== undefined ? { projectId: parseId(opts.project, '--project') } : {};
        const { listableKind, listTracker } = await admin();
        const rows = await withApp(opts, 'read', (app) => listTracker(app, listableKind(what), filter));
        if (opts.json) printJson(rows);
        else for (const row of rows) process.stdout.write(humanRow(row) + '\n');
      }),
    );
  return tracker;
}

function humanRow(row: object): string {
  const fields = row as Record<string, unknown>;
  const label = fields.name ?? fields.subject ?? fields.email ?? fields.body ?? fields.fileName ?? '';
  const extra = Object.entries(fields)
    .filter(([k, v]) => ['projectId', 'companyId', 'itemId', 'isPrivate', 'teamId', 'email'].includes(k) && v !== null && v !== undefined && v !== label)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${fields.id}\t${String(label).split('\n')[0]}${extra ? '\t' + extra : ''}`;
}
