// Every change an admin makes to the builtin tracker, each with its audit entry, on a database or
// transaction the caller holds: the single use cases (tracker.ts) run one in a transaction of its own,
// config apply runs a whole file's worth in one.
import type { Db } from '../../store/database.js';
import * as builtin from '../../tracker/builtin/index.js';
import type { ItemKind } from '../../tracker/port.js';
import { recordAudit } from '../audit.js';
import type { Principal } from '../principal.js';

/** How the command line and the API name a company, project or team (id or name), a person (id or email). */
export type Ref = number | string;

type Row<K extends builtin.Listable> = builtin.TrackerRow<K>;

export interface CompanyInput {
  name: string;
  domains?: string[];
}
export interface CompanyChange {
  name?: string;
  /** The whole new list. */
  domains?: string[];
}
export interface ProjectInput {
  name: string;
  company?: string | null;
  /** The short code rules may name it by (`ACME`): unique case-insensitively. */
  code?: string | null;
  /** Keep this id (config apply: rules name projects by id). */
  id?: number;
}
export interface ProjectChange {
  name?: string;
  /** A company name, or null for none. */
  company?: string | null;
  /** A new code, or null for none. */
  code?: string | null;
  deleted?: boolean;
}
export interface TeamInput {
  name: string;
  id?: number;
}
export interface TeamChange {
  name?: string;
}
export interface UserInput {
  email: string;
  name: string;
}
export interface UserChange {
  email?: string;
  name?: string;
}
export interface RequesterInput {
  email: string;
  name?: string;
  company?: string | null;
}
export interface RequesterChange {
  email?: string;
  name?: string;
  company?: string | null;
}

/** What a change named, for the audit log: the fields and their new values (tracker data holds no secret). */
const given = (change: object) => Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));

export const changes = {
  async createCompany(db: Db, input: CompanyInput, who: Principal): Promise<Row<'companies'>> {
    const row = await builtin.addCompany(db, input);
    await recordAudit(db, who, 'company.create', `company ${row.name}`, { id: row.id, domains: row.domains });
    return row;
  },
  async updateCompany(db: Db, ref: Ref, change: CompanyChange, who: Principal): Promise<Row<'companies'>> {
    const id = await builtin.idOf(db, 'companies', ref);
    const row = await builtin.updateCompany(db, id, change);
    await recordAudit(db, who, 'company.update', `company ${row.name}`, { id, ...given(change) });
    return row;
  },
  async deleteCompany(db: Db, ref: Ref, who: Principal): Promise<Row<'companies'>> {
    const row = await builtin.deleteCompany(db, await builtin.idOf(db, 'companies', ref));
    await recordAudit(db, who, 'company.delete', `company ${row.name}`, { id: row.id });
    return row;
  },

  async createProject(db: Db, input: ProjectInput, who: Principal): Promise<Row<'projects'>> {
    const row = await builtin.addProject(db, input);
    await recordAudit(db, who, 'project.create', `project ${row.name}`, { id: row.id, ...given({ company: input.company ?? undefined, code: row.code ?? undefined }) });
    return row;
  },
  async updateProject(db: Db, ref: Ref, change: ProjectChange, who: Principal): Promise<Row<'projects'>> {
    const id = await builtin.idOf(db, 'projects', ref);
    const row = await builtin.updateProject(db, id, change);
    // Deleting and restoring have their own names: they change which rules apply.
    const { deleted, ...rest } = change;
    const action = Object.keys(given(rest)).length || deleted === undefined ? 'project.update' : deleted ? 'project.delete' : 'project.restore';
    await recordAudit(db, who, action, `project ${row.name}`, { id, ...given(change) });
    return row;
  },

  async createTeam(db: Db, input: TeamInput, who: Principal): Promise<Row<'teams'>> {
    const row = await builtin.addTeam(db, input);
    await recordAudit(db, who, 'team.create', `team ${row.name}`, { id: row.id });
    return row;
  },
  async updateTeam(db: Db, ref: Ref, change: TeamChange, who: Principal): Promise<Row<'teams'>> {
    const id = await builtin.idOf(db, 'teams', ref);
    const row = await builtin.updateTeam(db, id, change);
    await recordAudit(db, who, 'team.update', `team ${row.name}`, { id, ...given(change) });
    return row;
  },
  async deleteTeam(db: Db, ref: Ref, who: Principal): Promise<Row<'teams'>> {
    const row = await builtin.deleteTeam(db, await builtin.idOf(db, 'teams', ref));
    await recordAudit(db, who, 'team.delete', `team ${row.name}`, { id: row.id });
    return row;
  },

  async createUser(db: Db, input: UserInput, who: Principal): Promise<Row<'users'>> {
    const row = await builtin.addUser(db, input);
    await recordAudit(db, who, 'user.create', `user ${row.email}`, { id: row.id });
    return row;
  },
  async updateUser(db: Db, ref: Ref, change: UserChange, who: Principal): Promise<Row<'users'>> {
    const id = await builtin.idOfPerson(db, 'users', ref);
    const row = await builtin.updateUser(db, id, change);
    await recordAudit(db, who, 'user.update', `user ${row.email}`, { id, ...given(change) });
    return row;
  },
  async deleteUser(db: Db, ref: Ref, who: Principal): Promise<Row<'users'>> {
    const row = await builtin.deleteUser(db, await builtin.idOfPerson(db, 'users', ref));
    await recordAudit(db, who, 'user.delete', `user ${row.email}`, { id: row.id });
    return row;
  },

  async createRequester(db: Db, input: RequesterInput, who: Principal): Promise<Row<'requesters'>> {
    const row = await builtin.addRequester(db, input);
    await recordAudit(db, who, 'requester.create', `requester ${row.email}`, { id: row.id });
    return row;
  },
  async updateRequester(db: Db, ref: Ref, change: RequesterChange, who: Principal): Promise<Row<'requesters'>> {
    const id = await builtin.idOfPerson(db, 'requesters', ref);
    const row = await builtin.updateRequester(db, id, change);
    await recordAudit(db, who, 'requester.update', `requester ${row.email}`, { id, ...given(change) });
    return row;
  },
  async deleteRequester(db: Db, ref: Ref, who: Principal): Promise<Row<'requesters'>> {
    const row = await builtin.deleteRequester(db, await builtin.idOfPerson(db, 'requesters', ref));
    await recordAudit(db, who, 'requester.delete', `requester ${row.email}`, { id: row.id });
    return row;
  },

  async setItemState(db: Db, kind: ItemKind, id: number, state: string, who: Principal) {
    const result = await builtin.setItemState(db, kind, id, state);
    await recordAudit(db, who, `${kind}.state`, `${kind} ${id}`, { from: result.before, to: result.state });
    return result;
  },
};
