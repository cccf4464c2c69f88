// `mailbind tracker …`: the builtin tracker's companies, projects, teams and people, and listings.
import { Command } from 'commander';
import {
  addCompany,
  addProject,
  addRequester,
  addTeam,
  addUser,
  listTracker,
  LISTABLE,
  setProjectDeleted,
  type Listable,
} from '../tracker/builtin/admin.js';
import { action, common, parseId, printJson, UserError, withStore, type CommonOptions } from './context.js';

type Opts = CommonOptions & Record<string, any>;

function printCreated(opts: Opts, created: { id: number }): void {
  if (opts.json) printJson(created);
  else process.stdout.write(`${created.id}\n`);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function trackerCommand(): Command {
  const tracker = new Command('tracker').description("the builtin tracker's companies, projects, teams, people and items");

  const company = tracker.command('company').description('companies');
  common(company.command('add').description('add a company; its email domains put new senders in it'))
    .requiredOption('--name <name>', 'company name')
    .option('--domain <domain>', 'email domain of the company (repeatable)', collect, [])
    .action(action(async (opts: Opts) => withStore(opts, async (s) => printCreated(opts, await addCompany(s.db, { name: opts.name, domains: opts.domain })))));

  const project = tracker.command('project').description('projects');
  common(project.command('add').description('add a project'))
    .requiredOption('--name <name>', 'project name')
    .option('--company <name>', 'the company the project belongs to')
    .action(action(async (opts: Opts) => withStore(opts, async (s) => printCreated(opts, await addProject(s.db, { name: opts.name, company: opts.company })))));
  common(project.command('delete <id>').description('mark a project deleted: rules targeting only it are skipped'), { json: false })
    .action(action(async (id: string, opts: Opts) => withStore(opts, (s) => setProjectDeleted(s.db, parseId(id, 'project id'), true))));
  common(project.command('restore <id>').description('undo delete'), { json: false })
    .action(action(async (id: string, opts: Opts) => withStore(opts, (s) => setProjectDeleted(s.db, parseId(id, 'project id'), false))));

  const team = tracker.command('team').description('teams');
  common(team.command('add').description('add a team'))
    .requiredOption('--name <name>', 'team name')
    .action(action(async (opts: Opts) => withStore(opts, async (s) => printCreated(opts, await addTeam(s.db, { name: opts.name })))));

  const requester = tracker.command('requester').description('requesters (external people)');
  common(requester.command('add').description('add a requester'))
    .requiredOption('--email <email>', 'email address')
    .option('--name <name>', 'display name')
    .option('--company <name>', 'company name')
    .action(action(async (opts: Opts) => withStore(opts, async (s) => printCreated(opts, await addRequester(s.db, { email: opts.email, name: opts.name, company: opts.company })))));

  const user = tracker.command('user').description('users (staff)');
  common(user.command('add').description('add a staff user'))
    .requiredOption('--email <email>', 'email address')
    .requiredOption('--name <name>', 'name')
    .action(action(async (opts: Opts) => withStore(opts, async (s) => printCreated(opts, await addUser(s.db, { email: opts.email, name: opts.name })))));

  common(tracker.command('list <what>').description(`list ${LISTABLE.join('|')}`))
    .option('--project <id>', 'only what belongs to this project')
    .action(
      action(async (what: string, opts: Opts) => {
        if (!(LISTABLE as readonly string[]).includes(what)) throw new UserError(`cannot list '${what}': choose one of ${LISTABLE.join(', ')}`);
        const filter = opts.project !== undefined ? { projectId: parseId(opts.project, '--project') } : {};
        await withStore(opts, async (s) => {
          const rows = await listTracker(s.db, what as Listable, filter);
          if (opts.json) printJson(rows);
          else for (const row of rows) process.stdout.write(humanRow(row as Record<string, unknown>) + '\n');
        });
      }),
    );
  return tracker;
}

function humanRow(row: Record<string, unknown>): string {
  const label = row.name ?? row.subject ?? row.email ?? row.body ?? row.fileName ?? '';
  const extra = Object.entries(row)
    .filter(([k, v]) => ['projectId', 'companyId', 'itemId', 'isPrivate', 'teamId', 'email'].includes(k) && v !== null && v !== undefined && v !== label)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${row.id}\t${String(label).split('\n')[0]}${extra ? '\t' + extra : ''}`;
}
