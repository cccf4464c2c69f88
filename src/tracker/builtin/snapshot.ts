// Loads what decide needs for one message in a handful of queries: all projects and all staff users (a
// tracker has few of each: rules name projects by code and assign items to staff by address), and only
// the requesters, domains, companies, items and thread Message-IDs this message names (the items and
// threads in snapshot-items.ts). The projects, staff and teams (the directory) can be read once and
// shared by the messages of one transaction (index.ts).
import { domainOf } from '../../mail/domain.js';
import { compiledOnce } from '../../store/compiled-once.js';
import type { Db } from '../../store/database.js';
import type {
  CompanyView,
  ProjectView,
  RequesterView,
  SnapshotRequest,
  TrackerSnapshot,
  UserView,
} from '../port.js';
import { loadItemViews, loadThreads } from './snapshot-items.js';

/** What every snapshot holds whatever the message: all projects (by id and by code), all staff, all teams. */
export interface Directory {
  projects: Map<number, ProjectView>;
  codes: Map<string, ProjectView>;
  staff: Map<string, UserView>;
  teams: Set<number>;
}

export async function loadDirectory(db: Db): Promise<Directory> {
  const projects = new Map<number, ProjectView>();
  const codes = new Map<string, ProjectView>();
  for (const p of await db.selectFrom('projects').selectAll().execute()) {
    const project: ProjectView = {
      id: Number(p.id),
      name: p.name,
      live: p.deleted === 0,
      companyId: p.company_id === null ? null : Number(p.company_id),
      code: p.code,
    };
    projects.set(project.id, project);
    if (project.code !== null) codes.set(project.code.toLowerCase(), project);
  }
  const staff = new Map<string, UserView>();
  for (const u of await db.selectFrom('users').selectAll().execute()) {
    staff.set(u.email, { id: Number(u.id), email: u.email, name: u.name });
  }
  const teams = new Set((await db.selectFrom('teams').select('id').execute()).map((t) => Number(t.id)));
  return { projects, codes, staff, teams };
}

// The two reads every message's snapshot makes, compiled once (store/compiled-once.ts).
const requestersByEmail = compiledOnce((db, v: { emails: string[] }) => db.selectFrom('requesters').selectAll().where('email', 'in', v.emails));

const companiesByDomain = compiledOnce((db, v: { domains: string[] }) =>
  db
    .selectFrom('company_domains')
    .innerJoin('companies', 'companies.id', 'company_domains.company_id')
    .select(['company_domains.domain', 'companies.id', 'companies.name'])
    .where('company_domains.domain', 'in', v.domains));

export async function loadSnapshot(db: Db, request: SnapshotRequest, directory?: Directory): Promise<TrackerSnapshot> {
  const named = new Set(request.emails.map((e) => e.toLowerCase()));
  const emails = [...named];
  const domains = [...new Set(emails.map(domainOf).filter((d): d is string => d !== null))];
  const itemIds = [...new Set(request.itemIds)];
  // The message's own Message-ID too: an item it is already on must not get it a second time.
  const messageIds = [...new Set([...request.messageIds, ...(request.messageId ? [request.messageId] : [])])];

  const { projects, codes, staff, teams } = directory ?? await loadDirectory(db);
  const requesters = new Map<string, RequesterView>();
  const byDomain = new Map<string, CompanyView>();
  const companies = new Map<number, CompanyView>();
  if (emails.length) {
    for (const r of (await requestersByEmail(db, { emails })).rows) {
      requesters.set(r.email, {
        id: Number(r.id),
        email: r.email,
        name: r.name,
        companyId: r.company_id === null ? null : Number(r.company_id),
      });
    }
  }
  if (domains.length) {
    const { rows } = await companiesByDomain(db, { domains });
    for (const row of rows) {
      const company = { id: Number(row.id), name: row.name };
      byDomain.set(row.domain, company);
      companies.set(company.id, company);
    }
  }
  // A requester's company is named in the rules too (and may have no domain this message uses).
  const companyIds = [...new Set([...requesters.values()].flatMap((r) => (r.companyId === null || companies.has(r.companyId) ? [] : [r.companyId])))];
  if (companyIds.length) {
    for (const c of await db.selectFrom('companies').select(['id', 'name']).where('id', 'in', companyIds).execute()) {
      companies.set(Number(c.id), { id: Number(c.id), name: c.name });
    }
  }
  // Replies: the items the thread's Message-IDs lead to are candidates as much as those named by number.
  const threads = await loadThreads(db, messageIds);
  const items = await loadItemViews(db, [...itemIds, ...[...threads.values()].flatMap((all) => all.map((t) => t.itemId))]);
  // A reply to a closed item may go on where a follow-up of it took the conversation (one step, not a chain).
  const followUps = [...items.values()].flatMap((i) => i.followedUpBy).filter((id) => !items.has(id));
  if (followUps.length) for (const [id, view] of await loadItemViews(db, followUps)) items.set(id, view);

  return {
    project: (id) => projects.get(id),
    requesterByEmail: (email) => requesters.get(email.toLowerCase()),
    // Whether one of this message's own people is staff (its meaning before staffByEmail): only the
    // addresses the message names, though every user is loaded.
    userByEmail: (email) => (named.has(email.toLowerCase()) ? staff.get(email.toLowerCase()) : undefined),
    staffByEmail: (email) => staff.get(email.toLowerCase()),
    companyByDomain: (domain) => byDomain.get(domain.toLowerCase()),
    company: (id) => companies.get(id),
    projectByCode: (code) => codes.get(code.trim().toLowerCase()),
    item: (id) => items.get(id),
    teamExists: (id) => teams.has(id),
    itemOfMessage: (messageId) => threads.get(messageId)?.[0],
    itemHoldsMessage: (itemId, messageId) => threads.get(messageId)?.some((t) => t.itemId === itemId) ?? false,
  };
}
