// Administering the builtin tracker: the companies, projects, teams and people rules refer to (create,
// read, update, delete), reading messages, items and comments, setting an item's state, and downloading
// attachments. Each change runs in its own transaction with its audit entry (tracker/changes.ts).
import type { Db } from '../store/database.js';
import * as builtin from '../tracker/builtin/index.js';
import type { ItemKind } from '../tracker/port.js';
import type { App } from './app.js';
import { translated } from './error-translation.js';
import { notFound, userError } from './errors.js';
import type { Principal } from './principal.js';
import {
  changes,
  type CompanyChange,
  type CompanyInput,
  type ProjectChange,
  type ProjectInput,
  type Ref,
  type RequesterChange,
  type RequesterInput,
  type TeamChange,
  type TeamInput,
  type UserChange,
  type UserInput,
} from './tracker/changes.js';

export type { Listable, TrackerFilter, TrackerRow } from '../tracker/builtin/index.js';
export type * from './tracker/changes.js';
import { inTransaction as runInTransaction } from '../store/transaction.js';
export { openAttachment, type AttachmentDownload } from './tracker/attachments.js';

/** One change and its audit entry, committed together; whatever goes wrong leaves as an AppError. */
function inTransaction<T>(app: App, work: (trx: Db) => Promise<T>): Promise<T> {
  return translated(() => runInTransaction(app.store.db, work));
}

export const addCompany = (app: App, input: CompanyInput, who: Principal) => inTransaction(app, (db) => changes.createCompany(db, input, who));
export const updateCompany = (app: App, ref: Ref, change: CompanyChange, who: Principal) => inTransaction(app, (db) => changes.updateCompany(db, ref, change, who));
/** Refused (conflict) while projects or requesters belong to the company. */
export const deleteCompany = (app: App, ref: Ref, who: Principal) => inTransaction(app, (db) => changes.deleteCompany(db, ref, who));

export const addProject = (app: App, input: ProjectInput, who: Principal) => inTransaction(app, (db) => changes.createProject(db, input, who));
export const updateProject = (app: App, ref: Ref, change: ProjectChange, who: Principal) => inTransaction(app, (db) => changes.updateProject(db, ref, change, who));
/** Projects are only ever marked deleted (their items stay); restoring undoes it. */
export const setProjectDeleted = (app: App, ref: Ref, deleted: boolean, who: Principal) => updateProject(app, ref, { deleted }, who);

export const addTeam = (app: App, input: TeamInput, who: Principal) => inTransaction(app, (db) => changes.createTeam(db, input, who));
export const updateTeam = (app: App, ref: Ref, change: TeamChange, who: Principal) => inTransaction(app, (db) => changes.updateTeam(db, ref, change, who));
/** Refused (conflict) while items are assigned to the team. */
export const deleteTeam = (app: App, ref: Ref, who: Principal) => inTransaction(app, (db) => changes.deleteTeam(db, ref, who));

export const addUser = (app: App, input: UserInput, who: Principal) => inTransaction(app, (db) => changes.createUser(db, input, who));
export const updateUser = (app: App, ref: Ref, change: UserChange, who: Principal) => inTransaction(app, (db) => changes.updateUser(db, ref, change, who));
/** Refused (conflict) once the user wrote a message or comment in the tracker. */
export const deleteUser = (app: App, ref: Ref, who: Principal) => inTransaction(app, (db) => changes.deleteUser(db, ref, who));

export const addRequester = (app: App, input: RequesterInput, who: Principal) => inTransaction(app, (db) => changes.createRequester(db, input, who));
export const updateRequester = (app: App, ref: Ref, change: RequesterChange, who: Principal) => inTransaction(app, (db) => changes.updateRequester(db, ref, change, who));
/** Refused (conflict) once the requester has messages, comments or items. */
export const deleteRequester = (app: App, ref: Ref, who: Principal) => inTransaction(app, (db) => changes.deleteRequester(db, ref, who));

/** Sets a request's (story's, bug's, task's) state: one of ITEM_STATES. */
export const setItemState = (app: App, kind: ItemKind, id: number, state: string, who: Principal) =>
  inTransaction(app, (db) => changes.setItemState(db, kind, id, state, who));

export function listableKind(what: string): builtin.Listable {
  const kind = builtin.LISTABLE.find((k) => k === what);
  if (!kind) throw userError(`cannot list '${what}': choose one of ${builtin.LISTABLE.join(', ')}`);
  return kind;
}

/** The kind of item a listing holds ('requests' → 'request'); a user error for any other word. */
export function itemKindOf(what: string): ItemKind {
  const kind = (builtin.ITEM_LISTS as Record<string, ItemKind>)[what] ?? Object.values(builtin.ITEM_LISTS).find((k) => k === what);
  if (!kind) throw userError(`'${what}' is not a kind of item: choose one of ${Object.values(builtin.ITEM_LISTS).join(', ')}`);
  return kind;
}

export function listTracker<K extends builtin.Listable>(app: App, what: K, filter: builtin.TrackerFilter = {}): Promise<builtin.TrackerRow<K>[]> {
  return translated(() => builtin.listTracker(app.store.db, what, filter));
}

/** One object by id; not found is an AppError. */
export async function getTrackerObject<K extends builtin.Listable>(app: App, what: K, id: number): Promise<builtin.TrackerRow<K>> {
  const row = await translated(() => builtin.getTracker(app.store.db, what, id));
  if (!row) throw notFound(`no ${what.replace(/ies$/, 'y').replace(/s$/, '')} ${id}`);
  return row;
}

/** A tracker message with its text and recipients, which listings leave out. */
export async function getTrackerMessage(app: App, id: number) {
  const row = await getTrackerObject(app, 'messages', id);
  const body = await translated(() => builtin.messageBody(app.store.db, id));
  return { ...row, ...body! };
}
