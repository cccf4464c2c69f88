// Admin operations on the builtin tracker (CLI `mailbind tracker …`, later the API): adding the
// companies, projects, teams, people the rules refer to, and listing everything as plain objects.
import type { Db } from '../../store/database.js';
import { now } from '../../store/database.js';
import type { ItemKind } from '../port.js';
import { LISTABLE, type Listable } from './listable.js';

export class TrackerInputError extends Error {}

const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$|^[^\s@<>()",;]+@[^\s@<>()",;]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9-]+\.)*[a-z0-9-]+$/;

function requireEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new TrackerInputError(`'${raw}' is not an email address`);
  return email;
}

function requireName(raw: string | undefined, what: string): string {
  const name = (raw ?? '').trim();
  if (!name) throw new TrackerInputError(`${what} needs a name`);
  return name;
}

export async function companyIdByName(db: Db, name: string): Promise<number> {
  const row = await db
    .selectFrom('companies')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.trim().toLowerCase()))
    .executeTakeFirst();
  if (!row) throw new TrackerInputError(`no company named '${name}'`);
  return Number(row.id);
}

export async function addCompany(db: Db, input: { name: string; domains?: string[] }) {
  const name = requireName(input.name, 'a company');
  const domains = (input.domains ?? []).map((d) => d.trim().toLowerCase().replace(/^@/, ''));
  for (const d of domains) if (!DOMAIN.test(d)) throw new TrackerInputError(`'${d}' is not a domain name`);
  return db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('companies').select('id').where('name', '=', name).executeTakeFirst();
    if (taken) throw new TrackerInputError(`a company named '${name}' already exists`);
    for (const d of domains) {
      const owner = await trx.selectFrom('company_domains').select('company_id').where('domain', '=', d).executeTakeFirst();
      if (owner) throw new TrackerInputError(`domain '${d}' already belongs to company ${owner.company_id}`);
    }
    const row = await trx.insertInto('companies').values({ name }).returning('id').executeTakeFirstOrThrow();
    const id = Number(row.id);
    if (domains.length) {
      await trx.insertInto('company_domains').values(domains.map((domain) => ({ domain, company_id: id }))).execute();
    }
    return { id, name, domains };
  });
}

export async function addProject(db: Db, input: { name: string; company?: string }) {
  const name = requireName(input.name, 'a project');
  const companyId = input.company ? await companyIdByName(db, input.company) : null;
  const row = await db
    .insertInto('projects')
    .values({ name, company_id: companyId, deleted: 0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), name, companyId, deleted: false };
}

export async function setProjectDeleted(db: Db, id: number, deleted: boolean) {
  const result = await db.updateTable('projects').set({ deleted: deleted ? 1 : 0 }).where('id', '=', id).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new TrackerInputError(`no project ${id}`);
}

export async function addTeam(db: Db, input: { name: string }) {
  const name = requireName(input.name, 'a team');
  const row = await db.insertInto('teams').values({ name }).returning('id').executeTakeFirstOrThrow();
  return { id: Number(row.id), name };
}

export async function addUser(db: Db, input: { email: string; name: string }) {
  const email = requireEmail(input.email);
  const name = requireName(input.name, 'a user');
  const taken = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (taken) throw new TrackerInputError(`a user with email ${email} already exists`);
  const row = await db.insertInto('users').values({ email, name }).returning('id').executeTakeFirstOrThrow();
  return { id: Number(row.id), email, name };
}

export async function addRequester(db: Db, input: { email: string; name?: string; company?: string }) {
  const email = requireEmail(input.email);
  const taken = await db.selectFrom('requesters').select('id').where('email', '=', email).executeTakeFirst();
  if (taken) throw new TrackerInputError(`a requester with email ${email} already exists`);
  const companyId = input.company ? await companyIdByName(db, input.company) : null;
  const name = (input.name ?? '').trim();
  const row = await db
    .insertInto('requesters')
    .values({ email, name, company_id: companyId, created_at: now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), email, name, companyId };
}

type Filter = { projectId?: number };

// One lister per kind of tracker object; the row types the faces show are inferred from them.
const listers = {
  projects: async (db: Db, filter: Filter) => {
    let q = db.selectFrom('projects').selectAll().orderBy('id');
    if (filter.projectId !== undefined) q = q.where('id', '=', filter.projectId);
    return (await q.execute()).map((p) => ({
      id: Number(p.id),
      name: p.name,
      companyId: p.company_id === null ? null : Number(p.company_id),
      deleted: p.deleted === 1,
    }));
  },
  companies: async (db: Db) => {
    const domains = await db.selectFrom('company_domains').selectAll().execute();
    return (await db.selectFrom('companies').selectAll().orderBy('id').execute()).map((c) => ({
      id: Number(c.id),
      name: c.name,
      domains: domains.filter((d) => Number(d.company_id) === Number(c.id)).map((d) => d.domain),
    }));
  },
  requesters: async (db: Db) =>
    (await db.selectFrom('requesters').selectAll().orderBy('id').execute()).map((r) => ({
      id: Number(r.id),
      email: r.email,
      name: r.name,
      companyId: r.company_id === null ? null : Number(r.company_id),
    })),
  users: async (db: Db) =>
    (await db.selectFrom('users').selectAll().orderBy('id').execute()).map((u) => ({ id: Number(u.id), email: u.email, name: u.name })),
  teams: async (db: Db) =>
    (await db.selectFrom('teams').selectAll().orderBy('id').execute()).map((t) => ({ id: Number(t.id), name: t.name })),
  messages: (db: Db, filter: Filter) => listMessages(db, filter.projectId),
  requests: (db: Db, filter: Filter) => listItems(db, 'request', filter.projectId),
  stories: (db: Db, filter: Filter) => listItems(db, 'story', filter.projectId),
  bugs: (db: Db, filter: Filter) => listItems(db, 'bug', filter.projectId),
  tasks: (db: Db, filter: Filter) => listItems(db, 'task', filter.projectId),
  comments: (db: Db, filter: Filter) => listComments(db, filter.projectId),
  attachments: async (db: Db) =>
    (await db.selectFrom('attachments').selectAll().orderBy('id').execute()).map((a) => ({
      id: Number(a.id),
      fileName: a.file_name,
      contentType: a.content_type,
      size: Number(a.size),
      contentId: a.content_id,
      inline: a.inline === 1,
      blobRef: a.blob_ref,
      messageId: a.message_id === null ? null : Number(a.message_id),
      itemId: a.item_id === null ? null : Number(a.item_id),
      commentId: a.comment_id === null ? null : Number(a.comment_id),
    })),
} satisfies Record<Listable, (db: Db, filter: Filter) => Promise<object[]>>;

export { LISTABLE, type Listable };
/** One row of a tracker listing, by kind: `TrackerRow<'requests'>` is an item with its requesters. */
export type TrackerRow<K extends Listable> = Awaited<ReturnType<(typeof listers)[K]>>[number];

export async function listTracker<K extends Listable>(db: Db, what: K, filter: Filter = {}): Promise<TrackerRow<K>[]> {
  return (await listers[what](db, filter)) as TrackerRow<K>[];
}

async function listMessages(db: Db, projectId?: number) {
  const links = await db.selectFrom('message_projects').selectAll().execute();
  const projectsOf = new Map<number, number[]>();
  for (const l of links) {
    const list = projectsOf.get(Number(l.message_id)) ?? [];
    list.push(Number(l.project_id));
    projectsOf.set(Number(l.message_id), list);
  }
  const rows = await db.selectFrom('messages').selectAll().orderBy('id').execute();
  return rows
    .map((m) => {
      const projectIds = (projectsOf.get(Number(m.id)) ?? []).sort((a, b) => a - b);
      return {
        id: Number(m.id),
        subject: m.subject,
        messageId: m.message_id,
        fromAddress: m.from_address,
        fromName: m.from_name,
        requesterId: m.requester_id === null ? null : Number(m.requester_id),
        userId: m.user_id === null ? null : Number(m.user_id),
        projectId: projectIds[0] ?? null,
        projectIds,
        inboxItemId: m.inbox_item_id === null ? null : Number(m.inbox_item_id),
        sentAt: m.sent_at,
      };
    })
    .filter((m) => projectId === undefined || m.projectIds.includes(projectId));
}

async function listItems(db: Db, kind: ItemKind, projectId?: number) {
  let q = db.selectFrom('items').selectAll().where('kind', '=', kind).orderBy('id');
  if (projectId !== undefined) q = q.where('project_id', '=', projectId);
  const items = await q.execute();
  if (!items.length) return [];
  const ids = items.map((i) => Number(i.id));
  const requesters = await db.selectFrom('item_requesters').selectAll().where('item_id', 'in', ids).execute();
  const messages = await db.selectFrom('item_messages').selectAll().where('item_id', 'in', ids).execute();
  return items.map((i) => ({
    id: Number(i.id),
    kind: i.kind,
    projectId: Number(i.project_id),
    name: i.name,
    description: i.description,
    isPrivate: i.is_private === 1,
    teamId: i.team_id === null ? null : Number(i.team_id),
    requesterIds: requesters.filter((r) => Number(r.item_id) === Number(i.id)).map((r) => Number(r.requester_id)).sort((a, b) => a - b),
    messageIds: messages.filter((m) => Number(m.item_id) === Number(i.id)).map((m) => Number(m.message_id)).sort((a, b) => a - b),
    createdAt: i.created_at,
  }));
}

async function listComments(db: Db, projectId?: number) {
  let q = db
    .selectFrom('comments')
    .innerJoin('items', 'items.id', 'comments.item_id')
    .selectAll('comments')
    .select('items.project_id')
    .orderBy('comments.id');
  if (projectId !== undefined) q = q.where('items.project_id', '=', projectId);
  return (await q.execute()).map((c) => ({
    id: Number(c.id),
    itemId: Number(c.item_id),
    projectId: Number(c.project_id),
    body: c.body,
    messageId: c.message_id === null ? null : Number(c.message_id),
    messageIds: c.message_id === null ? [] : [Number(c.message_id)],
    requesterId: c.requester_id === null ? null : Number(c.requester_id),
    userId: c.user_id === null ? null : Number(c.user_id),
    createdAt: c.created_at,
  }));
}
