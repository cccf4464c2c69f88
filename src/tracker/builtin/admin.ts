// Administering the builtin tracker (CLI `mailbind tracker …`, the API, config apply): creating,
// changing and removing the companies, projects, teams and people the rules refer to. These functions
// open no transaction of their own: the use case that calls them does, so that a change and its audit
// entry (or a whole config file) commit together. Names are unique per kind, compared without case,
// because config as code finds objects by them.
import type { Db } from '../../store/database.js';
import { now, sql } from '../../store/database.js';
import { identityPastMax } from '../../store/identity.js';
import { getTracker, type TrackerRow } from './lists.js';
import { fieldError, requireDomains, requireEmail, requireName, requireProjectCode, TrackerInputError } from './validate.js';

export { getTracker, listTracker, messageBody, LISTABLE, type Listable, type TrackerFilter, type TrackerRow } from './lists.js';
export { TrackerInputError, type FieldProblem } from './validate.js';
export { ITEM_LISTS, ITEM_STATES, normalizeItemState, type ItemState } from './listable.js';

type Named = 'companies' | 'projects' | 'teams';
type Addressed = 'users' | 'requesters';
const SINGULAR = { companies: 'company', projects: 'project', teams: 'team', users: 'user', requesters: 'requester' } as const;

/** The object of this kind with this id, or a not-found error. */
export async function mustGet<K extends Named | Addressed>(db: Db, what: K, id: number): Promise<TrackerRow<K>> {
  const row = await getTracker(db, what, id);
  if (!row) throw new TrackerInputError(`no ${SINGULAR[what]} ${id}`, 'missing');
  return row;
}

/** The id of the company, project or team with this name (any case), if there is one. */
async function idByName(db: Db, what: Named, name: string): Promise<number | undefined> {
  const row = await db
    .selectFrom(what)
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.trim().toLowerCase()))
    .executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

/** By id (digits) or by name: how the command line names companies, projects and teams. */
export async function idOf(db: Db, what: Named, ref: number | string): Promise<number> {
  if (typeof ref === 'number' || /^\d+$/.test(ref)) {
    const byId = await getTracker(db, what, Number(ref));
    if (byId) return byId.id;
  }
  const id = await idByName(db, what, String(ref));
  if (id === undefined) throw new TrackerInputError(`no ${SINGULAR[what]} named '${ref}'`, 'missing');
  return id;
}

/** By id (digits) or by email address: how the command line names users and requesters. */
export async function idOfPerson(db: Db, what: Addressed, ref: number | string): Promise<number> {
  if (typeof ref === 'number' || /^\d+$/.test(ref)) return (await mustGet(db, what, Number(ref))).id;
  const row = await db.selectFrom(what).select('id').where('email', '=', ref.trim().toLowerCase()).executeTakeFirst();
  if (!row) throw new TrackerInputError(`no ${SINGULAR[what]} with email ${ref}`, 'missing');
  return Number(row.id);
}

export async function companyIdByName(db: Db, name: string, field = 'company'): Promise<number> {
  const id = await idByName(db, 'companies', name);
  if (id === undefined) throw fieldError(field, `there is no company named '${name}'`);
  return id;
}

async function nameFree(db: Db, what: Named, name: string, self?: number): Promise<void> {
  const owner = await idByName(db, what, name);
  if (owner !== undefined && owner !== self) throw fieldError('name', `a ${SINGULAR[what]} named '${name}' already exists`, 'taken');
}

async function emailFree(db: Db, what: Addressed, email: string, self?: number): Promise<void> {
  const owner = await db.selectFrom(what).select('id').where('email', '=', email).executeTakeFirst();
  if (owner && Number(owner.id) !== self) throw fieldError('email', `a ${SINGULAR[what]} with email ${email} already exists`, 'taken');
}

// ---- companies ----

async function domainsFree(db: Db, domains: string[], self?: number): Promise<void> {
  if (!domains.length) return;
  const owners = await db
    .selectFrom('company_domains')
    .innerJoin('companies', 'companies.id', 'company_domains.company_id')
    .select(['company_domains.domain', 'companies.id', 'companies.name'])
    .where('company_domains.domain', 'in', domains)
    .execute();
  const taken = owners.filter((o) => Number(o.id) !== self);
  if (taken.length) {
    const problems = taken.map((o) => ({ field: 'domains', message: `'${o.domain}' already belongs to company '${o.name}'` }));
    throw new TrackerInputError(problems.map((p) => p.message).join('; '), 'taken', problems);
  }
}

export async function addCompany(db: Db, input: { name: string; domains?: string[] }): Promise<TrackerRow<'companies'>> {
  const name = requireName(input.name);
  const domains = requireDomains(input.domains ?? []);
  await nameFree(db, 'companies', name);
  await domainsFree(db, domains);
  const row = await db.insertInto('companies').values({ name }).returning('id').executeTakeFirstOrThrow();
  const id = Number(row.id);
  if (domains.length) await db.insertInto('company_domains').values(domains.map((domain) => ({ domain, company_id: id }))).execute();
  return mustGet(db, 'companies', id);
}

/** Renames a company and/or replaces its domains (the list given is the whole new list). */
export async function updateCompany(db: Db, id: number, change: { name?: string; domains?: string[] }): Promise<TrackerRow<'companies'>> {
  await mustGet(db, 'companies', id);
  if (change.name !== undefined) {
    const name = requireName(change.name);
    await nameFree(db, 'companies', name, id);
    await db.updateTable('companies').set({ name }).where('id', '=', id).execute();
  }
  if (change.domains !== undefined) {
    const domains = requireDomains(change.domains);
    await domainsFree(db, domains, id);
    await db.deleteFrom('company_domains').where('company_id', '=', id).execute();
    if (domains.length) await db.insertInto('company_domains').values(domains.map((domain) => ({ domain, company_id: id }))).execute();
  }
  return mustGet(db, 'companies', id);
}

/**
 * Removes a company and its domains. Refused while projects or requesters belong to it: they would
 * silently lose their company, and rules matching on it would stop matching.
 */
export async function deleteCompany(db: Db, id: number): Promise<TrackerRow<'companies'>> {
  const company = await mustGet(db, 'companies', id);
  const projects = await countWhere(db, 'projects', 'company_id', id);
  const requesters = await countWhere(db, 'requesters', 'company_id', id);
  if (projects || requesters) {
    const what = [plural(projects, 'project'), plural(requesters, 'requester')].filter(Boolean).join(' and ');
    throw new TrackerInputError(`company '${company.name}' still has ${what}; move them to another company or delete them first`, 'in-use');
  }
  await db.deleteFrom('company_domains').where('company_id', '=', id).execute();
  await db.deleteFrom('companies').where('id', '=', id).execute();
  return company;
}

// ---- projects ----

/**
 * A code no other project has, compared without case (as the unique index on lower(code) does); the
 * conflict names the project holding it.
 */
async function projectCode(db: Db, raw: string, self?: number): Promise<string> {
  const code = requireProjectCode(raw);
  const owner = await db
    .selectFrom('projects')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['code']), '=', code.toLowerCase()))
    .executeTakeFirst();
  if (owner && Number(owner.id) !== self) throw fieldError('code', `project code ${code} is already used by project ${owner.id}`, 'taken');
  return code;
}

/** `id` keeps the id a rules text names (config apply); without it the next free one is taken. */
export async function addProject(
  db: Db,
  input: { name: string; company?: string | null; code?: string | null; id?: number },
): Promise<TrackerRow<'projects'>> {
  const name = requireName(input.name);
  await nameFree(db, 'projects', name);
  const code = input.code ? await projectCode(db, input.code) : null;
  const companyId = input.company ? await companyIdByName(db, input.company) : null;
  if (input.id !== undefined) await idFree(db, 'projects', input.id);
  const row = await db
    .insertInto('projects')
    .values({ ...(input.id !== undefined ? { id: input.id } : {}), name, code, company_id: companyId, deleted: 0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (input.id !== undefined) await identityPastMax(db, 'projects');
  return mustGet(db, 'projects', Number(row.id));
}

/** Renames a project, gives it a code (null: none), moves it to another company (null: none), or deletes / restores it. */
export async function updateProject(
  db: Db,
  id: number,
  change: { name?: string; code?: string | null; company?: string | null; deleted?: boolean },
): Promise<TrackerRow<'projects'>> {
  await mustGet(db, 'projects', id);
  const set: { name?: string; code?: string | null; company_id?: number | null; deleted?: number } = {};
  if (change.name !== undefined) {
    set.name = requireName(change.name);
    await nameFree(db, 'projects', set.name, id);
  }
  if (change.code !== undefined) set.code = change.code === null ? null : await projectCode(db, change.code, id);
  if (change.company !== undefined) set.company_id = change.company ? await companyIdByName(db, change.company) : null;
  if (change.deleted !== undefined) set.deleted = change.deleted ? 1 : 0;
  if (Object.keys(set).length) await db.updateTable('projects').set(set).where('id', '=', id).execute();
  return mustGet(db, 'projects', id);
}

/**
 * A project is never removed: items and messages stay in it. Deleted, rules that target only it are
 * skipped; restored, they apply again.
 */
export async function setProjectDeleted(db: Db, id: number, deleted: boolean): Promise<TrackerRow<'projects'>> {
  return updateProject(db, id, { deleted });
}

// ---- teams ----

export async function addTeam(db: Db, input: { name: string; id?: number }): Promise<TrackerRow<'teams'>> {
  const name = requireName(input.name);
  await nameFree(db, 'teams', name);
  if (input.id !== undefined) await idFree(db, 'teams', input.id);
  const row = await db
    .insertInto('teams')
    .values({ ...(input.id !== undefined ? { id: input.id } : {}), name })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (input.id !== undefined) await identityPastMax(db, 'teams');
  return mustGet(db, 'teams', Number(row.id));
}

export async function updateTeam(db: Db, id: number, change: { name?: string }): Promise<TrackerRow<'teams'>> {
  await mustGet(db, 'teams', id);
  if (change.name !== undefined) {
    const name = requireName(change.name);
    await nameFree(db, 'teams', name, id);
    await db.updateTable('teams').set({ name }).where('id', '=', id).execute();
  }
  return mustGet(db, 'teams', id);
}

/** Refused while items are assigned to the team. */
export async function deleteTeam(db: Db, id: number): Promise<TrackerRow<'teams'>> {
  const team = await mustGet(db, 'teams', id);
  const items = await countWhere(db, 'items', 'team_id', id);
  if (items) throw new TrackerInputError(`team '${team.name}' still has ${plural(items, 'item')}; assign them to another team first`, 'in-use');
  await db.deleteFrom('teams').where('id', '=', id).execute();
  return team;
}

// ---- users (staff) ----

export async function addUser(db: Db, input: { email: string; name: string }): Promise<TrackerRow<'users'>> {
  const email = requireEmail(input.email);
  const name = requireName(input.name);
  await emailFree(db, 'users', email);
  const row = await db.insertInto('users').values({ email, name }).returning('id').executeTakeFirstOrThrow();
  return mustGet(db, 'users', Number(row.id));
}

export async function updateUser(db: Db, id: number, change: { email?: string; name?: string }): Promise<TrackerRow<'users'>> {
  await mustGet(db, 'users', id);
  const set: { email?: string; name?: string } = {};
  if (change.email !== undefined) {
    set.email = requireEmail(change.email);
    await emailFree(db, 'users', set.email, id);
  }
  if (change.name !== undefined) set.name = requireName(change.name);
  if (Object.keys(set).length) await db.updateTable('users').set(set).where('id', '=', id).execute();
  return mustGet(db, 'users', id);
}

/**
 * Refused while messages or comments name the user as their author (the history would lose its author)
 * or items are assigned to them (they would silently lose their assignee).
 */
export async function deleteUser(db: Db, id: number): Promise<TrackerRow<'users'>> {
  const user = await mustGet(db, 'users', id);
  const used = (await countWhere(db, 'messages', 'user_id', id)) + (await countWhere(db, 'comments', 'user_id', id));
  if (used) throw new TrackerInputError(`user ${user.email} wrote ${plural(used, 'message or comment', 'messages or comments')} in the tracker; it stays`, 'in-use');
  const assigned = await countWhere(db, 'items', 'assignee_user_id', id);
  if (assigned) throw new TrackerInputError(`user ${user.email} is the assignee of ${plural(assigned, 'item')}; it stays`, 'in-use');
  await db.deleteFrom('users').where('id', '=', id).execute();
  return user;
}

// ---- requesters (external people) ----

export async function addRequester(db: Db, input: { email: string; name?: string; company?: string | null }): Promise<TrackerRow<'requesters'>> {
  const email = requireEmail(input.email);
  await emailFree(db, 'requesters', email);
  const companyId = input.company ? await companyIdByName(db, input.company) : null;
  const row = await db
    .insertInto('requesters')
    .values({ email, name: (input.name ?? '').trim(), company_id: companyId, created_at: now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return mustGet(db, 'requesters', Number(row.id));
}

export async function updateRequester(
  db: Db,
  id: number,
  change: { email?: string; name?: string; company?: string | null },
): Promise<TrackerRow<'requesters'>> {
  await mustGet(db, 'requesters', id);
  const set: { email?: string; name?: string; company_id?: number | null } = {};
  if (change.email !== undefined) {
    set.email = requireEmail(change.email);
    await emailFree(db, 'requesters', set.email, id);
  }
  // A requester's name may be empty: mail often comes without one.
  if (change.name !== undefined) set.name = change.name.trim();
  if (change.company !== undefined) set.company_id = change.company ? await companyIdByName(db, change.company) : null;
  if (Object.keys(set).length) await db.updateTable('requesters').set(set).where('id', '=', id).execute();
  return mustGet(db, 'requesters', id);
}

/** Refused once the requester has written or asked for anything: that history keeps its sender. */
export async function deleteRequester(db: Db, id: number): Promise<TrackerRow<'requesters'>> {
  const requester = await mustGet(db, 'requesters', id);
  const used =
    (await countWhere(db, 'messages', 'requester_id', id)) +
    (await countWhere(db, 'comments', 'requester_id', id)) +
    (await countWhere(db, 'item_requesters', 'requester_id', id));
  if (used) throw new TrackerInputError(`requester ${requester.email} has messages or items in the tracker; it stays`, 'in-use');
  await db.deleteFrom('requesters').where('id', '=', id).execute();
  return requester;
}

// ---- helpers ----

async function idFree(db: Db, what: 'projects' | 'teams', id: number): Promise<void> {
  const holder = await getTracker(db, what, id);
  if (holder) throw fieldError('id', `${SINGULAR[what]} ${id} is already '${holder.name}'`, 'taken');
}

type Referring = 'projects' | 'requesters' | 'items' | 'messages' | 'comments' | 'item_requesters';

async function countWhere(db: Db, table: Referring, column: string, id: number): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(sql.ref(column), '=', id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return n === 0 ? '' : `${n} ${n === 1 ? one : many}`;
}
