// Loads what decide needs for one message in a handful of queries: all projects (a tracker has few),
// and only the people, domains, items and thread Message-IDs this message names.
import { domainOf } from '../../mail/domain.js';
import { chunksOf } from '../../store/chunks.js';
import type { Db } from '../../store/database.js';
import type {
  CompanyView,
  ProjectView,
  RequesterView,
  SnapshotRequest,
  TrackerSnapshot,
  UserView,
} from '../port.js';

export async function loadSnapshot(db: Db, request: SnapshotRequest): Promise<TrackerSnapshot> {
  const emails = [...new Set(request.emails.map((e) => e.toLowerCase()))];
  const domains = [...new Set(emails.map(domainOf).filter((d): d is string => d !== null))];
  const itemIds = [...new Set(request.itemIds)];
  const messageIds = [...new Set(request.messageIds)];

  const projects = new Map<number, ProjectView>();
  for (const p of await db.selectFrom('projects').selectAll().execute()) {
    projects.set(Number(p.id), {
      id: Number(p.id),
      name: p.name,
      live: p.deleted === 0,
      companyId: p.company_id === null ? null : Number(p.company_id),
      code: null,
    });
  }
  const requesters = new Map<string, RequesterView>();
  const users = new Map<string, UserView>();
  const companies = new Map<string, CompanyView>();
  const items = new Set<number>();
  if (emails.length) {
    for (const r of await db.selectFrom('requesters').selectAll().where('email', 'in', emails).execute()) {
      requesters.set(r.email, {
        id: Number(r.id),
        email: r.email,
        name: r.name,
        companyId: r.company_id === null ? null : Number(r.company_id),
      });
    }
    for (const u of await db.selectFrom('users').selectAll().where('email', 'in', emails).execute()) {
      users.set(u.email, { id: Number(u.id), email: u.email, name: u.name });
    }
  }
  if (domains.length) {
    const rows = await db
      .selectFrom('company_domains')
      .innerJoin('companies', 'companies.id', 'company_domains.company_id')
      .select(['company_domains.domain', 'companies.id', 'companies.name'])
      .where('company_domains.domain', 'in', domains)
      .execute();
    for (const row of rows) companies.set(row.domain, { id: Number(row.id), name: row.name });
  }
  if (itemIds.length) {
    for (const row of await db.selectFrom('items').select('id').where('id', 'in', itemIds).execute()) {
      items.add(Number(row.id));
    }
  }
  const threads = new Map<string, number>();
  // A References header may name hundreds of ids.
  for (const chunk of chunksOf(messageIds)) {
    const rows = await db
      .selectFrom('messages')
      .innerJoin('item_messages', 'item_messages.message_id', 'messages.id')
      .select(['messages.message_id', 'item_messages.item_id'])
      .where('messages.message_id', 'in', chunk)
      .orderBy('item_messages.item_id')
      .execute();
    // The oldest item wins when one message was linked to several.
    for (const row of rows) if (!threads.has(row.message_id)) threads.set(row.message_id, Number(row.item_id));
  }
  const teams = new Set((await db.selectFrom('teams').select('id').execute()).map((t) => Number(t.id)));

  return {
    project: (id) => projects.get(id),
    requesterByEmail: (email) => requesters.get(email.toLowerCase()),
    userByEmail: (email) => users.get(email.toLowerCase()),
    companyByDomain: (domain) => companies.get(domain.toLowerCase()),
    itemExists: (id) => items.has(id),
    teamExists: (id) => teams.has(id),
    itemOfMessage: (messageId) => threads.get(messageId),
    company: () => undefined,
    projectByCode: () => undefined,
    staffByEmail: (email) => users.get(email.toLowerCase()),
  };
}
