// `mailbind tracker …`: the builtin tracker's companies, projects, teams and people (add, update,
// delete), listings and single objects, item states, and attachment downloads.
import { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { cliPrincipal } from '../app/principal.js';
import { ITEM_LISTS, ITEM_STATES, LISTABLE } from '../app/tracker-kinds.js';
import { action, jsonOption, parseId, printJson, withApp, type Opts } from './context.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const admin = () => import('../app/tracker.js');
type Admin = Awaited<ReturnType<typeof admin>>;
type App = Parameters<Admin['listTracker']>[0];

function printCreated(opts: Opts, created: { id: number }): void {
  if (opts.json) printJson(created);
  else process.stdout.write(`${created.id}\n`);
}

function printChanged(opts: Opts, verb: string, what: string, row: object): void {
  if (opts.json) printJson(row);
  else process.stdout.write(`${verb} ${what} ${humanRow(row)}\n`);
}

/** --company NAME sets it, --no-company clears it, neither leaves it. */
const companyOption = (opts: Opts): { company?: string | null } =>
  opts.company === undefined ? {} : { company: opts.company === false ? null : opts.company };

/** --code CODE sets it, --no-code clears it, neither leaves it. */
const codeOption = (opts: Opts): { code?: string | null } =>
  opts.code === undefined ? {} : { code: opts.code === false ? null : opts.code };
const CODE_HELP = '2-20 letters, digits or _, starting with a letter; unique without case';

const given = <T extends object>(change: T): T => Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) as T;

/** `tracker KIND update REF …` and `tracker KIND delete REF`, each a one-line use case call. */
function updateAndDelete(
  parent: Command,
  what: string,
  refHelp: string,
  update: ((admin: Admin, app: App, ref: string, opts: Opts) => Promise<object>) | null,
  remove: ((admin: Admin, app: App, ref: string) => Promise<object>) | null,
  options: (command: Command) => Command = (c) => c,
): void {
  if (update) {
    options(jsonOption(parent.command('update <ref>').description(`change a ${what} (${refHelp})`))).action(
      action(async (ref: string, opts: Opts) => {
        const module = await admin();
        printChanged(opts, 'updated', what, await withApp(opts, 'write', (app) => update(module, app, ref, opts)));
      }),
    );
  }
  if (remove) {
    jsonOption(parent.command('delete <ref>').description(`delete a ${what} (${refHelp})`)).action(
      action(async (ref: string, opts: Opts) => {
        const module = await admin();
        printChanged(opts, 'deleted', what, await withApp(opts, 'write', (app) => remove(module, app, ref)));
      }),
    );
  }
}

export function trackerCommand(): Command {
  const tracker = new Command('tracker').description("the builtin tracker's companies, projects, teams, people and items");
  const who = () => cliPrincipal();

  const company = tracker.command('company').description('companies');
  jsonOption(company.command('add').description('add a company; its email domains put new senders in it'))
    .requiredOption('--name <name>', 'company name')
    .option('--domain <domain>', 'email domain of the company (repeatable)', collect, [])
    .action(action(async (opts: Opts) => {
      const { addCompany } = await admin();
      printCreated(opts, await withApp(opts, 'write', (app) => addCompany(app, { name: opts.name, domains: opts.domain }, who())));
    }));
  updateAndDelete(company, 'company', 'id or name',
    (m, app, ref, opts) => m.updateCompany(app, ref, given({ name: opts.name, domains: opts.domains === false ? [] : opts.domain }), who()),
    (m, app, ref) => m.deleteCompany(app, ref, who()),
    (c) => c.option('--name <name>', 'new name')
      .option('--domain <domain>', 'the email domains (repeatable; replaces the whole list)', collect)
      .option('--no-domains', 'remove every domain'));

  const project = tracker.command('project').description('projects');
  jsonOption(project.command('add').description('add a project'))
    .requiredOption('--name <name>', 'project name')
    .option('--company <name>', 'the company the project belongs to')
    .option('--code <code>', `short code rules may name the project by (${CODE_HELP})`)
    .action(action(async (opts: Opts) => {
      const { addProject } = await admin();
      printCreated(opts, await withApp(opts, 'write', (app) => addProject(app, { name: opts.name, company: opts.company, code: opts.code }, who())));
    }));
  updateAndDelete(project, 'project', 'id or name',
    (m, app, ref, opts) => m.updateProject(app, ref, given({ name: opts.name, ...companyOption(opts), ...codeOption(opts) }), who()),
    null,
    (c) => c.option('--name <name>', 'new name').option('--company <name>', 'move it to this company').option('--no-company', 'belong to no company')
      .option('--code <code>', `new short code (${CODE_HELP})`).option('--no-code', 'have no code'));
  for (const [verb, deleted, help] of [['delete', true, 'mark a project deleted: rules targeting only it are skipped (its items stay)'], ['restore', false, 'undo delete']] as const) {
    jsonOption(project.command(`${verb} <ref>`).description(`${help} (id or name)`))
      .action(action(async (ref: string, opts: Opts) => {
        const { setProjectDeleted } = await admin();
        printChanged(opts, verb === 'delete' ? 'deleted' : 'restored', 'project', await withApp(opts, 'write', (app) => setProjectDeleted(app, ref, deleted, who())));
      }));
  }

  const team = tracker.command('team').description('teams');
  jsonOption(team.command('add').description('add a team'))
    .requiredOption('--name <name>', 'team name')
    .action(action(async (opts: Opts) => {
      const { addTeam } = await admin();
      printCreated(opts, await withApp(opts, 'write', (app) => addTeam(app, { name: opts.name }, who())));
    }));
  updateAndDelete(team, 'team', 'id or name',
    (m, app, ref, opts) => m.updateTeam(app, ref, given({ name: opts.name }), who()),
    (m, app, ref) => m.deleteTeam(app, ref, who()),
    (c) => c.option('--name <name>', 'new name'));

  const requester = tracker.command('requester').description('requesters (external people)');
  jsonOption(requester.command('add').description('add a requester'))
    .requiredOption('--email <email>', 'email address')
    .option('--name <name>', 'display name')
    .option('--company <name>', 'company name')
    .action(action(async (opts: Opts) => {
      const { addRequester } = await admin();
      printCreated(opts, await withApp(opts, 'write', (app) => addRequester(app, { email: opts.email, name: opts.name, company: opts.company }, who())));
    }));
  updateAndDelete(requester, 'requester', 'id or email',
    (m, app, ref, opts) => m.updateRequester(app, ref, given({ email: opts.email, name: opts.name, ...companyOption(opts) }), who()),
    (m, app, ref) => m.deleteRequester(app, ref, who()),
    (c) => c.option('--email <email>', 'new address').option('--name <name>', 'display name')
      .option('--company <name>', 'move to this company').option('--no-company', 'belong to no company'));

  const user = tracker.command('user').description('users (staff)');
  jsonOption(user.command('add').description('add a staff user'))
    .requiredOption('--email <email>', 'email address')
    .requiredOption('--name <name>', 'name')
    .action(action(async (opts: Opts) => {
      const { addUser } = await admin();
      printCreated(opts, await withApp(opts, 'write', (app) => addUser(app, { email: opts.email, name: opts.name }, who())));
    }));
  updateAndDelete(user, 'user', 'id or email',
    (m, app, ref, opts) => m.updateUser(app, ref, given({ email: opts.email, name: opts.name }), who()),
    (m, app, ref) => m.deleteUser(app, ref, who()),
    (c) => c.option('--email <email>', 'new address').option('--name <name>', 'name'));

  for (const [list, kind] of Object.entries(ITEM_LISTS)) {
    jsonOption(tracker.command(kind).description(`${list}: set the state`).command('state <id> <state>').description(`set a ${kind}'s state: ${ITEM_STATES.join(' | ')}`))
      .action(action(async (id: string, state: string, opts: Opts) => {
        const itemId = parseId(id, `${kind} id`);
        const { setItemState, getTrackerObject } = await admin();
        const row = await withApp(opts, 'write', async (app) => {
          await setItemState(app, kind, itemId, state, who());
          return getTrackerObject(app, list as keyof typeof ITEM_LISTS, itemId);
        });
        printChanged(opts, 'updated', kind, row);
      }));
  }

  jsonOption(tracker.command('attachment').description('attachments').command('save <id>').description('write an attachment to a file (default: its own name, made safe, here)'))
    .option('--out <file>', 'where to write it; - for standard output')
    .action(action(async (id: string, opts: Opts) => {
      const attachmentId = parseId(id, 'attachment id');
      const { openAttachment } = await admin();
      await withApp(opts, 'read', async (app) => {
        const download = await openAttachment(app, attachmentId);
        const out = opts.out ?? download.fileName;
        await pipeline(download.stream, out === '-' ? process.stdout : createWriteStream(out, { flags: 'wx', mode: 0o600 }));
        if (out !== '-') process.stderr.write(`wrote ${download.size} bytes to ${out}\n`);
      });
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

  jsonOption(tracker.command('show <what> <id>').description(`show one of ${LISTABLE.join('|')} by id`))
    .action(
      action(async (what: string, id: string, opts: Opts) => {
        const objectId = parseId(id, 'id');
        const { listableKind, getTrackerObject, getTrackerMessage } = await admin();
        const kind = listableKind(what);
        const row: object = await withApp(opts, 'read', (app): Promise<object> =>
          kind === 'messages' ? getTrackerMessage(app, objectId) : getTrackerObject(app, kind, objectId));
        if (opts.json) printJson(row);
        else for (const [key, value] of Object.entries(row)) process.stdout.write(`${(key + ':').padEnd(14)}${typeof value === 'object' ? JSON.stringify(value) : value}\n`);
      }),
    );
  return tracker;
}

// What a listing line shows after the id and the label, when set.
const SHOWN = ['code', 'projectId', 'companyId', 'itemId', 'isPrivate', 'teamId', 'email', 'state', 'priority', 'severity', 'assignee', 'domains', 'tags', 'fields'];

function humanRow(row: object): string {
  const fields = row as Record<string, unknown>;
  const label = fields.name ?? fields.subject ?? fields.email ?? fields.body ?? fields.fileName ?? '';
  const extra = Object.entries(fields)
    .filter(([k, v]) => SHOWN.includes(k) && v !== null && v !== undefined && v !== label && !(typeof v === 'object' && Object.keys(v).length === 0))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : v}`)
    .join(' ');
  return `${fields.id}\t${String(label).split('\n')[0]}${extra ? '\t' + extra : ''}`;
}
