// Accounts as admins manage them: add, list, change the password or the role, remove; and the first
// admin made at first start. There is always at least one admin: removing or demoting the last one is
// refused, checked inside the change's transaction so two admins demoting each other cannot both win.
import * as accounts from '../store/accounts.js';
import type { Db } from '../store/database.js';
import { deleteSessionsOf } from '../store/sessions.js';
import type { App } from './app.js';
import { demoteTokensOf, revokeTokensOf } from '../store/api-tokens.js';
import { recordAudit } from './audit.js';
import { conflict, notFound, userError, type FieldError } from './errors.js';
import { generatePassword, hashPassword, passwordProblem } from './passwords.js';
import { cliPrincipal, type Principal, type Role } from './principal.js';

export interface AccountView {
  id: number;
  name: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
}

export const ROLES: readonly Role[] = ['admin', 'viewer'];
const NAME = /^[A-Za-z0-9._@-]{1,100}$/;
export const FIRST_ADMIN = 'admin';

function toView(account: accounts.Account): AccountView {
  return { id: account.id, name: account.name, role: account.role, createdAt: account.createdAt, updatedAt: account.updatedAt };
}

/** Problems with a name for an account or a token, in words for the person who typed it. */
export function nameProblem(name: string, what: string): FieldError | null {
  if (!name) return { field: 'name', message: `Name should not be empty` };
  if (!NAME.test(name)) {
    return { field: 'name', message: `The ${what} name may only use letters, digits, '.', '-', '_' and '@' (at most 100 characters)` };
  }
  return null;
}

export function checkRole(role: string): Role {
  if ((ROLES as readonly string[]).includes(role)) return role as Role;
  const message = `Role should be admin or viewer, not '${role}'`;
  throw userError(message, { fields: [{ field: 'role', message }] });
}

function invalid(problems: Array<FieldError | null>): void {
  const fields = problems.filter((p): p is FieldError => p !== null);
  if (fields.length) throw userError(fields.map((f) => f.message).join('; '), { fields });
}

export async function addAccount(app: App, input: { name: string; role: Role; password: string }, who: Principal): Promise<AccountView> {
  const name = input.name.trim();
  invalid([nameProblem(name, 'account'), passwordProblem(input.password)]);
  const role = checkRole(input.role);
  const passwordHash = await hashPassword(input.password);
  const created = await app.store.db.transaction().execute(async (trx) => {
    const existing = await accounts.findAccount(trx, name);
    if (existing) throw conflict(`an account named '${existing.name}' already exists (names are unique regardless of case)`);
    const account = await accounts.insertAccount(trx, { name, role, passwordHash });
    if (account) await recordAudit(trx, who, 'account.add', `account ${account.name}`, { id: account.id, role });
    return account;
  });
  // Null: another process added the name between our check and our insert.
  if (!created) throw conflict(`an account named '${name}' already exists`);
  return toView(created);
}

export async function listAccounts(app: App): Promise<AccountView[]> {
  return (await accounts.listAccounts(app.store.db)).map(toView);
}

async function getAccount(db: Db, name: string): Promise<accounts.Account> {
  const account = await accounts.findAccount(db, name.trim());
  if (!account) throw notFound(`no account named '${name}'`);
  return account;
}

/** Sets a new password and ends every session of the account: whoever knew the old one is out. */
export async function setAccountPassword(app: App, name: string, password: string, who: Principal): Promise<void> {
  invalid([passwordProblem(password)]);
  const passwordHash = await hashPassword(password);
  await app.store.db.transaction().execute(async (trx) => {
    const account = await getAccount(trx, name);
    await accounts.updateAccount(trx, account.id, { passwordHash });
    const ended = await deleteSessionsOf(trx, account.id);
    await recordAudit(trx, who, 'account.passwd', `account ${account.name}`, { id: account.id, sessionsEnded: ended });
  });
}

export async function setAccountRole(app: App, name: string, role: Role, who: Principal): Promise<AccountView> {
  const wanted = checkRole(role);
  return app.store.db.transaction().execute(async (trx) => {
    const admins = await accounts.lockAdmins(trx, app.store.dialect);
    const account = await getAccount(trx, name);
    if (account.role === wanted) return toView(account);
    if (account.role === 'admin' && admins.length <= 1) {
      throw conflict(`'${account.name}' is the last admin; make another account admin first`);
    }
    const updated = await accounts.updateAccount(trx, account.id, { role: wanted });
    // A viewer's tokens cannot do more than the viewer: admin tokens they made become viewer tokens.
    const demoted = wanted === 'viewer' ? { tokensDemoted: await demoteTokensOf(trx, account.name) } : {};
    await recordAudit(trx, who, 'account.role', `account ${account.name}`, { id: account.id, from: account.role, to: wanted, ...demoted });
    return toView(updated);
  });
}

/** Removes the account and its sessions; what it changed stays, attributed in the audit log. */
export async function removeAccount(app: App, name: string, who: Principal): Promise<void> {
  await app.store.db.transaction().execute(async (trx) => {
    const admins = await accounts.lockAdmins(trx, app.store.dialect);
    const account = await getAccount(trx, name);
    if (account.role === 'admin' && admins.length <= 1) {
      throw conflict(`'${account.name}' is the last admin; make another account admin before removing it`);
    }
    await accounts.deleteAccount(trx, account.id);
    // Whoever is gone takes their tokens along: a removed admin's token must not keep working.
    const tokensRevoked = await revokeTokensOf(trx, account.name, new Date().toISOString());
    await recordAudit(trx, who, 'account.remove', `account ${account.name}`, { id: account.id, role: account.role, tokensRevoked });
  });
}

/**
 * First start: when there is no account, create 'admin' with MAILBIND_ADMIN_PASSWORD, or a generated
 * password returned here so the caller prints it once. Two processes starting at once make one admin:
 * the second finds the name taken and reports nothing created.
 */
export async function ensureFirstAdmin(
  app: App,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ created: false } | { created: true; name: string; generatedPassword?: string }> {
  if ((await accounts.countAccounts(app.store.db)) > 0) return { created: false };
  const given = env.MAILBIND_ADMIN_PASSWORD;
  if (given !== undefined && given !== '') {
    const problem = passwordProblem(given);
    if (problem) throw userError(`MAILBIND_ADMIN_PASSWORD: ${problem.message}`, { fields: [{ ...problem, field: 'MAILBIND_ADMIN_PASSWORD' }] });
  }
  const password = given || generatePassword();
  const passwordHash = await hashPassword(password);
  // The one who started the service on this data dir creates the first admin.
  const who = cliPrincipal();
  const created = await app.store.db.transaction().execute(async (trx) => {
    if ((await accounts.countAccounts(trx)) > 0) return null;
    const account = await accounts.insertAccount(trx, { name: FIRST_ADMIN, role: 'admin', passwordHash });
    if (account) await recordAudit(trx, who, 'account.add', `account ${account.name}`, { id: account.id, role: 'admin', firstStart: true });
    return account;
  });
  if (!created) return { created: false };
  return given ? { created: true, name: created.name } : { created: true, name: created.name, generatedPassword: password };
}

/**
 * Role and password in one request (the API's PATCH): everything is checked before anything changes,
 * so a refusal (a bad password, the last admin) leaves the account as it was.
 */
export async function changeAccount(app: App, name: string, change: { role?: Role; password?: string }, who: Principal): Promise<AccountView> {
  if (change.password !== undefined) invalid([passwordProblem(change.password)]);
  if (change.role !== undefined) checkRole(change.role);
  const view = change.role !== undefined ? await setAccountRole(app, name, change.role, who) : undefined;
  if (change.password !== undefined) await setAccountPassword(app, name, change.password, who);
  return view ?? toView(await getAccount(app.store.db, name));
}
