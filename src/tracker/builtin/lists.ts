// Reading the builtin tracker as plain objects: a listing of each kind of object, optionally only what
// belongs to one project, and one object by id. The row types the faces show are inferred from here.
import type { Db } from '../../store/database.js';
import type { ItemKind } from '../port.js';
import { LISTABLE, type ItemState, type Listable } from './listable.js';

export interface TrackerFilter {
  /** Only what belongs to this project. */
  projectId?: number;
  /** Only the object with this id. */
  id?: number;
}

const optionalId = (value: number | null) => (value === null ? null : Number(value));

// One lister per kind of tracker object; each honours both filters where they mean something.
const listers = {
  projects: async (db: Db, filter: TrackerFilter) => {
    let q = db.selectFrom('projects').selectAll().orderBy('id');
    if (filter.projectId !== undefined) q = q.where('id', '=', filter.projectId);
    if (filter.id !== undefined) q = q.where('id', '=', filter.id);
    return (await q.execute()).map((p) => ({
      id: Number(p.id),
      name: p.name,
      code: p.code,
      companyId: optionalId(p.company_id),
      deleted: p.deleted === 1,
    }));
  },
  companies: async (db: Db, filter: TrackerFilter) => {
    let q = db.selectFrom('companies').selectAll().orderBy('id');
    if (filter.id !== undefined) q = q.where('id', '=', filter.id);
    const companies = await q.execute();
    if (!companies.length) return [];
    const domains = await db
      .selectFrom('company_domains')
      .selectAll()
      .where('company_id', 'in', companies.map((c) => Number(c.id)))
      .orderBy('domain')
      .execute();
    return companies.map((c) => ({
      id: Number(c.id),
      name: c.name,
      domains: domains.filter((d) => Number(d.company_id) === Number(c.id)).map((d) => d.domain),
    }));
  },
  requesters: async (db: Db, filter: TrackerFilter) => {
    let q = db.selectFrom('requesters').selectAll().orderBy('id');
    if (filter.id !== undefined) q = q.where('id', '=', filter.id);
    return (await q.execute()).map((r) => ({ id: Number(r.id), email: r.email, name: r.name, companyId: optionalId(r.company_id) }));
  },
  users: async (db: Db, filter: TrackerFilter) => {
    let q = db.selectFrom('users').selectAll().orderBy('id');
    if (filter.id !== undefined) q = q.where('id', '=', filter.id);
    return (await q.execute()).map((u) => ({ id: Number(u.id), email: u.email, name: u.name }));
  },
  teams: async (db: Db, filter: TrackerFilter) => {
    let q = db.selectFrom('teams').selectAll().orderBy('id');
    if (filter.id !== undefined) q = q.where('id', '=', filter.id);
    return (await q.execute()).map((t) => ({ id: Number(t.id), name: t.name }));
  },
  messages: (db: Db, filter: TrackerFilter) => listMessages(db, filter),
  requests: (db: Db, filter: TrackerFilter) => listItems(db, 'request', filter),
  stories: (db: Db, filter: TrackerFilter) => listItems(db, 'story', filter),
  bugs: (db: Db, filter: TrackerFilter) => listItems(db, 'bug', filter),
  tasks: (db: Db, filter: TrackerFilter) => listItems(db, 'task', filter),
  comments: (db: Db, filter: TrackerFilter) => listComments(db, filter),
  attachments: async (db: Db, filter: TrackerFilter) => {
    let q = db.selectFrom('attachments').selectAll().orderBy('id');
    if (filter.id !== undefined) q = q.where('id', '=', filter.id);
    return (await q.execute()).map((a) => ({
      id: Number(a.id),
      fileName: a.file_name,
      contentType: a.content_type,
      size: Number(a.size),
      contentId: a.content_id,
      inline: a.inline === 1,
      blobRef: a.blob_ref,
      messageId: optionalId(a.message_id),
      itemId: optionalId(a.item_id),
      commentId: optionalId(a.comment_id),
    }));
  },
} satisfies Record<Listable, (db: Db, filter: TrackerFilter) => Promise<object[]>>;

export { LISTABLE, type Listable };
/** One row of a tracker listing, by kind: `TrackerRow<'requests'>` is an item with its requesters. */
export type TrackerRow<K extends Listable> = Awaited<ReturnType<(typeof listers)[K]>>[number];

export async function listTracker<K extends Listable>(db: Db, what: K, filter: TrackerFilter = {}): Promise<TrackerRow<K>[]> {
  return (await listers[what](db, filter)) as TrackerRow<K>[];
}

/** One object by id, or undefined. */
export async function getTracker<K extends Listable>(db: Db, what: K, id: number): Promise<TrackerRow<K> | undefined> {
  return (await listTracker(db, what, { id }))[0];
}

/** The text and recipients of one tracker message: what a listing leaves out for size. */
export async function messageBody(db: Db, id: number) {
  const row = await db.selectFrom('messages').select(['body_text', 'body_html', 'recipients']).where('id', '=', id).executeTakeFirst();
  return row ? { bodyText: row.body_text, bodyHtml: row.body_html, recipients: row.recipients } : undefined;
}

async function listMessages(db: Db, filter: TrackerFilter) {
  let q = db.selectFrom('messages').selectAll().orderBy('id');
  if (filter.id !== undefined) q = q.where('id', '=', filter.id);
  if (filter.projectId !== undefined) {
    const projectId = filter.projectId;
    q = q.where((eb) =>
      eb.exists(eb.selectFrom('message_projects').select('message_projects.message_id')
        .whereRef('message_projects.message_id', '=', 'messages.id')
        .where('message_projects.project_id', '=', projectId)),
    );
  }
  const rows = await q.execute();
  if (!rows.length) return [];
  const links = await db
    .selectFrom('message_projects')
    .selectAll()
    .where('message_id', 'in', rows.map((m) => Number(m.id)))
    .execute();
  return rows.map((m) => {
    const projectIds = links.filter((l) => Number(l.message_id) === Number(m.id)).map((l) => Number(l.project_id)).sort((a, b) => a - b);
    return {
      id: Number(m.id),
      subject: m.subject,
      messageId: m.message_id,
      fromAddress: m.from_address,
      fromName: m.from_name,
      requesterId: optionalId(m.requester_id),
      userId: optionalId(m.user_id),
      projectId: projectIds[0] ?? null,
      projectIds,
      inboxItemId: optionalId(m.inbox_item_id),
      sentAt: m.sent_at,
    };
  });
}

async function listItems(db: Db, kind: ItemKind, filter: TrackerFilter) {
  let q = db.selectFrom('items').selectAll().where('kind', '=', kind).orderBy('id');
  if (filter.projectId !== undefined) q = q.where('project_id', '=', filter.projectId);
  if (filter.id !== undefined) q = q.where('id', '=', filter.id);
  const items = await q.execute();
  if (!items.length) return [];
  const ids = items.map((i) => Number(i.id));
  const requesters = await db.selectFrom('item_requesters').selectAll().where('item_id', 'in', ids).execute();
  const messages = await db.selectFrom('item_messages').selectAll().where('item_id', 'in', ids).execute();
  const tags = await db.selectFrom('item_tags').selectAll().where('item_id', 'in', ids).execute();
  const fields = await db.selectFrom('item_fields').selectAll().where('item_id', 'in', ids).execute();
  const participants = await db.selectFrom('item_participants').select(['item_id', 'email']).where('item_id', 'in', ids).execute();
  const followUps = await db.selectFrom('item_links').select(['item_id', 'linked_item_id']).where('kind', '=', 'follows-up').where('item_id', 'in', ids).execute();
  const followedBy = await db.selectFrom('item_links').select(['item_id', 'linked_item_id']).where('kind', '=', 'follows-up').where('linked_item_id', 'in', ids).execute();
  const assigneeIds = [...new Set(items.flatMap((i) => (i.assignee_user_id === null ? [] : [Number(i.assignee_user_id)])))];
  const assignees = new Map<number, string>();
  if (assigneeIds.length) {
    for (const u of await db.selectFrom('users').select(['id', 'email']).where('id', 'in', assigneeIds).execute()) assignees.set(Number(u.id), u.email);
  }
  // Sorted here, not by the database: SQLite and PostgreSQL collate text differently.
  const byName = (a: string, b: string) => a.toLowerCase().localeCompare(b.toLowerCase()) || a.localeCompare(b);
  return items.map((i) => {
    const own = <T extends { item_id: number }>(rows: T[]) => rows.filter((r) => Number(r.item_id) === Number(i.id));
    const assigneeId = optionalId(i.assignee_user_id);
    return {
      id: Number(i.id),
      kind: i.kind,
      projectId: Number(i.project_id),
      name: i.name,
      description: i.description,
      // Every state written was checked against ITEM_STATES (setItemState, the writer, migration 010).
      state: i.state as ItemState,
      priority: i.priority,
      severity: i.severity,
      assigneeId,
      /** The assignee's email address: how people and rules name staff. */
      assignee: assigneeId === null ? null : (assignees.get(assigneeId) ?? null),
      tags: own(tags).map((t) => t.tag).sort(byName),
      /** Custom fields, name → value, in name order. */
      fields: Object.fromEntries(own(fields).sort((a, b) => byName(a.name, b.name)).map((f) => [f.name, f.value])) as Record<string, string>,
      isPrivate: i.is_private === 1,
      teamId: optionalId(i.team_id),
      requesterIds: own(requesters).map((r) => Number(r.requester_id)).sort((a, b) => a - b),
      messageIds: own(messages).map((m) => Number(m.message_id)).sort((a, b) => a - b),
      /** People Cc'd onto the item's thread who may reply to it besides its requesters (lowercased emails). */
      participants: own(participants).map((p) => p.email).sort(),
      /** The closed item this one was made from a reply to (the profile's closed-replies 'new-item'); null otherwise. */
      followsUp: own(followUps).reduce<number | null>((first, l) => Math.min(first ?? Infinity, Number(l.linked_item_id)), null),
      /** The items made from replies to this one once it was closed: they follow it up. Oldest first. */
      followedUpBy: followedBy.filter((l) => Number(l.linked_item_id) === Number(i.id)).map((l) => Number(l.item_id)).sort((a, b) => a - b),
      createdAt: i.created_at,
    };
  });
}

async function listComments(db: Db, filter: TrackerFilter) {
  let q = db
    .selectFrom('comments')
    .innerJoin('items', 'items.id', 'comments.item_id')
    .selectAll('comments')
    .select('items.project_id')
    .orderBy('comments.id');
  if (filter.projectId !== undefined) q = q.where('items.project_id', '=', filter.projectId);
  if (filter.id !== undefined) q = q.where('comments.id', '=', filter.id);
  return (await q.execute()).map((c) => ({
    id: Number(c.id),
    itemId: Number(c.item_id),
    projectId: Number(c.project_id),
    body: c.body,
    quotedText: c.quoted_text,
    kind: c.kind,
    messageId: optionalId(c.message_id),
    messageIds: c.message_id === null ? [] : [Number(c.message_id)],
    requesterId: optionalId(c.requester_id),
    userId: optionalId(c.user_id),
    createdAt: c.created_at,
  }));
}
