// Administering the builtin tracker: the companies, projects, teams and people rules refer to, and
// typed listings of everything in it.
import * as builtin from '../tracker/builtin/admin.js';
import type { App } from './app.js';
import { userError } from './errors.js';

export type { Listable, TrackerRow } from '../tracker/builtin/admin.js';

export const addCompany = (app: App, input: { name: string; domains?: string[] }) => builtin.addCompany(app.store.db, input);
export const addProject = (app: App, input: { name: string; company?: string }) => builtin.addProject(app.store.db, input);
export const addTeam = (app: App, input: { name: string }) => builtin.addTeam(app.store.db, input);
export const addUser = (app: App, input: { email: string; name: string }) => builtin.addUser(app.store.db, input);
export const addRequester = (app: App, input: { email: string; name?: string; company?: string }) => builtin.addRequester(app.store.db, input);
export const setProjectDeleted = (app: App, id: number, deleted: boolean) => builtin.setProjectDeleted(app.store.db, id, deleted);

export function listableKind(what: string): builtin.Listable {
  const kind = builtin.LISTABLE.find((k) => k === what);
  if (!kind) throw userError(`cannot list '${what}': choose one of ${builtin.LISTABLE.join(', ')}`);
  return kind;
}

export function listTracker<K extends builtin.Listable>(app: App, what: K, filter: { projectId?: number } = {}): Promise<builtin.TrackerRow<K>[]> {
  return builtin.listTracker(app.store.db, what, filter);
}
