// What applying a configuration document would change, worked out before anything is written: every
// object of the file is matched to the database by its natural key (company, project and team by name,
// user by email, profile by name, all without case) and is a create, an update (with the fields that
// differ) or unchanged. Every problem in the file is collected with its YAML path, so one run lists
// them all. Objects missing from the file are left alone unless `prune` is asked for: then profiles,
// users and teams are deleted, projects marked deleted (their items stay), companies deleted.
import { checkDomains, checkEmail } from '../../tracker/builtin/validate.js';
import { parseRules } from '../../rules/index.js';
import type { SourceSettings, SourceSettingsInput } from '../../sources/settings.js';
import { listProfiles, validateProfileName } from '../../store/profiles.js';
import * as builtin from '../../tracker/builtin/index.js';
import type { App } from '../app.js';
import type { FieldError } from '../errors.js';
import type { Principal } from '../principal.js';
import { createProfile, deleteProfile, updateProfile } from '../profiles.js';
import { changes } from '../tracker/changes.js';
import { yamlPath, type ConfigDocument } from './document.js';
import { sourceFromFile } from './source.js';
import { smtpFromFile } from './smtp.js';
import type { SmtpChanges, SmtpSettings } from '../../store/smtp-settings.js';

export interface ConfigChange {
  kind: 'company' | 'project' | 'team' | 'user' | 'profile';
  name: string;
  change: 'create' | 'update' | 'unchanged' | 'delete';
  /** For an update: what differs ('domains', 'source.host', 'rules'). */
  fields?: string[];
}

/** Runs one change on the transaction's app (`app.store.db` is the transaction). */
type Run = (app: App, who: Principal) => Promise<unknown>;

export interface ConfigPlan {
  changes: ConfigChange[];
  /** In order: what must happen before the changes (domains released for others to take), then each change. */
  runs: Run[];
  errors: FieldError[];
}

type Path = ReadonlyArray<PropertyKey>;
const lower = (s: string) => s.trim().toLowerCase();
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

export async function planConfig(app: App, doc: ConfigDocument, options: { prune: boolean; env: NodeJS.ProcessEnv }): Promise<ConfigPlan> {
  const db = app.store.db;
  const plan: ConfigPlan = { changes: [], runs: [], errors: [] };
  const fail = (path: Path, message: string) => plan.errors.push({ field: yamlPath(path), message });
  const prepare: Run[] = [];
  const step = (change: ConfigChange, run?: Run) => {
    plan.changes.push(change);
    if (run && change.change !== 'unchanged') plan.runs.push(run);
  };
  const pruned: Array<{ change: ConfigChange; run: Run }> = [];
  const prune = (change: ConfigChange, run: Run) => options.prune && pruned.push({ change: { ...change, change: 'delete' }, run });

  // ---- companies ----
  const companies = await builtin.listTracker(db, 'companies');
  const companyByName = new Map(companies.map((c) => [lower(c.name), c]));
  const inFile = new Set(doc.companies.map((c) => lower(c.name)));
  const twiceCompanies = unique(doc.companies, (c) => lower(c.name), 'companies', 'name', fail);
  const domainOwner = new Map(companies.flatMap((c) => c.domains.map((d) => [d, c] as const)));
  const claimed = new Map<string, number>();
  doc.companies.forEach((entry, i) => {
    if (twiceCompanies.has(i)) return;
    const domains: string[] = [];
    entry.domains.forEach((raw, j) => {
      const at = ['companies', i, 'domains', j];
      const checked = checkDomains([raw]);
      const domain = checked.domains[0];
      if (!domain) return fail(at, checked.problems[0] ?? `'${raw}' is not a domain name`);
      const other = claimed.get(domain);
      if (other !== undefined && other !== i) return fail(at, `'${domain}' is a domain of ${yamlPath(['companies', other])} too`);
      claimed.set(domain, i);
      const owner = domainOwner.get(domain);
      if (owner && lower(owner.name) !== lower(entry.name) && !inFile.has(lower(owner.name))) {
        return fail(at, `'${domain}' belongs to company '${owner.name}', which this file does not list`);
      }
      if (!domains.includes(domain)) domains.push(domain);
    });
    const existing = companyByName.get(lower(entry.name));
    if (!existing) return step({ kind: 'company', name: entry.name, change: 'create' }, (a, who) => changes.createCompany(a.store.db, { name: entry.name, domains }, who));
    const fields = [...(existing.name !== entry.name ? ['name'] : []), ...(sameSet(existing.domains, domains) ? [] : ['domains'])];
    // Domains this company gives up go first: another company of the file may take them.
    if (fields.includes('domains')) prepare.push((a) => builtin.updateCompany(a.store.db, existing.id, { domains: existing.domains.filter((d) => domains.includes(d)) }));
    step({ kind: 'company', name: entry.name, change: fields.length ? 'update' : 'unchanged', ...(fields.length ? { fields } : {}) }, (a, who) =>
      changes.updateCompany(a.store.db, existing.id, { ...(fields.includes('name') ? { name: entry.name } : {}), ...(fields.includes('domains') ? { domains } : {}) }, who));
  });
  for (const c of companies) if (!inFile.has(lower(c.name))) prune({ kind: 'company', name: c.name, change: 'delete' }, (a, who) => changes.deleteCompany(a.store.db, c.id, who));
  const companyNameOf = new Map(companies.map((c) => [c.id, c.name]));

  // ---- projects and teams: found by name, and their ids must agree (rules name them by id) ----
  const projects = await builtin.listTracker(db, 'projects');
  numbered(doc.projects, projects, 'projects', fail, (entry, i, existing) => {
    if (entry.company && !inFile.has(lower(entry.company)) && (options.prune || !companyByName.has(lower(entry.company)))) {
      fail(['projects', i, 'company'], `there is no company named '${entry.company}' in this file${options.prune ? '' : ' or the database'}`);
    }
    const company = entry.company ?? null;
    if (!existing) {
      return step({ kind: 'project', name: entry.name, change: 'create' }, async (a, who) => {
        const row = await changes.createProject(a.store.db, { name: entry.name, company, ...(entry.id !== undefined ? { id: entry.id } : {}) }, who);
        if (entry.deleted) await changes.updateProject(a.store.db, row.id, { deleted: true }, who);
      });
    }
    const before = existing.companyId === null ? null : companyNameOf.get(existing.companyId) ?? null;
    const fields = [
      ...(existing.name !== entry.name ? ['name'] : []),
      ...((before === null ? null : lower(before)) !== (company === null ? null : lower(company)) ? ['company'] : []),
      ...(existing.deleted !== entry.deleted ? ['deleted'] : []),
    ];
    step({ kind: 'project', name: entry.name, change: fields.length ? 'update' : 'unchanged', ...(fields.length ? { fields } : {}) }, (a, who) =>
      changes.updateProject(a.store.db, existing.id, {
        ...(fields.includes('name') ? { name: entry.name } : {}),
        ...(fields.includes('company') ? { company } : {}),
        ...(fields.includes('deleted') ? { deleted: entry.deleted } : {}),
      }, who));
  }, (p) => !p.deleted && prune({ kind: 'project', name: p.name, change: 'delete' }, (a, who) => changes.updateProject(a.store.db, p.id, { deleted: true }, who)));

  const teams = await builtin.listTracker(db, 'teams');
  numbered(doc.teams, teams, 'teams', fail, (entry, _i, existing) => {
    if (!existing) return step({ kind: 'team', name: entry.name, change: 'create' }, (a, who) => changes.createTeam(a.store.db, entry, who));
    const renamed = existing.name !== entry.name;
    step({ kind: 'team', name: entry.name, change: renamed ? 'update' : 'unchanged', ...(renamed ? { fields: ['name'] } : {}) }, (a, who) =>
      changes.updateTeam(a.store.db, existing.id, { name: entry.name }, who));
  }, (t) => prune({ kind: 'team', name: t.name, change: 'delete' }, (a, who) => changes.deleteTeam(a.store.db, t.id, who)));

  // ---- users: found by email ----
  const users = await builtin.listTracker(db, 'users');
  const userByEmail = new Map(users.map((u) => [u.email, u]));
  const twiceUsers = unique(doc.users, (u) => lower(u.email), 'users', 'email', fail);
  doc.users.forEach((entry, i) => {
    if (twiceUsers.has(i)) return;
    const checked = checkEmail(entry.email);
    if ('problem' in checked) return fail(['users', i, 'email'], checked.problem);
    const existing = userByEmail.get(checked.email);
    if (!existing) return step({ kind: 'user', name: checked.email, change: 'create' }, (a, who) => changes.createUser(a.store.db, entry, who));
    const renamed = existing.name !== entry.name;
    step({ kind: 'user', name: checked.email, change: renamed ? 'update' : 'unchanged', ...(renamed ? { fields: ['name'] } : {}) }, (a, who) =>
      changes.updateUser(a.store.db, existing.id, { name: entry.name }, who));
  });
  const userEmails = new Set(doc.users.map((u) => lower(u.email)));
  for (const u of users) if (!userEmails.has(u.email)) prune({ kind: 'user', name: u.email, change: 'delete' }, (a, who) => changes.deleteUser(a.store.db, u.id, who));

  // ---- profiles: through the profile use cases, rules checked by the one parser ----
  const profiles = await listProfiles(db);
  const profileByName = new Map(profiles.map((p) => [lower(p.name), p]));
  const twiceProfiles = unique(doc.profiles, (p) => lower(p.name), 'profiles', 'name', fail);
  doc.profiles.forEach((entry, i) => {
    if (twiceProfiles.has(i)) return;
    let name: string;
    try {
      name = validateProfileName(entry.name);
    } catch (error) {
      return fail(['profiles', i, 'name'], (error as Error).message);
    }
    const rulesAt = yamlPath(['profiles', i, 'rules']);
    for (const e of parseRules(entry.rules).errors) {
      plan.errors.push({ field: `${rulesAt}:${e.line}:${e.column}`, message: `${e.message}${e.suggestion ? ` (${e.suggestion})` : ''}` });
    }
    const source = entry.source ? sourceFromFile(entry.source, ['profiles', i, 'source'], options.env, plan.errors) : undefined;
    const smtp = entry.smtp ? smtpFromFile(entry.smtp, ['profiles', i, 'smtp'], options.env, plan.errors) : undefined;
    const rules = { text: entry.rules, label: rulesAt };
    const existing = profileByName.get(lower(name));
    if (!existing) {
      return step({ kind: 'profile', name, change: 'create' }, (a, who) =>
        createProfile(a, { name, threading: entry.threading, ...(entry.rules ? { rules } : {}), ...(source ? { source } : {}), ...(smtp ? { smtp: smtp as SmtpChanges } : {}) }, who));
    }
    if (!entry.source && existing.source) {
      return fail(['profiles', i], `profile '${existing.name}' reads a ${existing.source.protocol} mailbox; a file cannot take it away (keep its source here, or delete the profile)`);
    }
    const sourceFields = source ? changedSettings(app, existing.source, source) : [];
    // The file says every threading setting (one left out is its default), as it says the whole rules.
    const threadingFields = (Object.keys(entry.threading) as Array<keyof typeof entry.threading>).filter((k) => entry.threading[k] !== existing.threading[k]);
    // The file says the whole SMTP settings: left out, the profile sends no mail.
    if (entry.smtp && !smtp) return;
    const smtpFields = smtp ? changedSettings(app, existing.smtp, smtp).map((f) => `smtp.${f}`) : existing.smtp ? ['smtp'] : [];
    const fields = [
      ...(existing.rules !== entry.rules ? ['rules'] : []),
      ...sourceFields.map((f) => `source.${f}`),
      ...threadingFields.map((f) => `threading.${f}`),
      ...smtpFields,
    ];
    step({ kind: 'profile', name: existing.name, change: fields.length ? 'update' : 'unchanged', ...(fields.length ? { fields } : {}) }, (a, who) =>
      updateProfile(a, existing.id, {
        ...(fields.includes('rules') ? { rules } : {}),
        ...(source && sourceFields.length ? { source: replacing(existing.source, source) } : {}),
        ...(threadingFields.length ? { threading: entry.threading } : {}),
        ...(smtpFields.length ? { smtp: smtp ? replacingSmtp(existing.smtp, smtp) : null } : {}),
      }, who));
  });
  const profileNames = new Set(doc.profiles.map((p) => lower(p.name)));
  for (const p of profiles) if (!profileNames.has(lower(p.name))) prune({ kind: 'profile', name: p.name, change: 'delete' }, (a, who) => deleteProfile(a, p.id, who));

  // Deletions last, people and profiles before what they refer to.
  const order = ['profile', 'user', 'team', 'project', 'company'];
  for (const p of pruned.sort((a, b) => order.indexOf(a.change.kind) - order.indexOf(b.change.kind))) step(p.change, p.run);
  plan.runs.unshift(...prepare);
  return plan;
}

/** Every name (or email) once in its list; the indexes of the second and later ones, which are not looked at further. */
function unique<T>(entries: T[], key: (entry: T) => string, list: string, field: string, fail: (path: Path, message: string) => void): Set<number> {
  const first = new Map<string, number>();
  const again = new Set<number>();
  entries.forEach((entry, i) => {
    const k = key(entry);
    const seen = first.get(k);
    if (seen === undefined) return first.set(k, i);
    fail([list, i, field], `'${k}' appears twice (also ${yamlPath([list, seen])})`);
    again.add(i);
  });
  return again;
}

/**
 * Projects and teams: matched by name, the file's id checked against the database's. A different id
 * would make the rules of the file point at another project than the one they were written for.
 */
function numbered<E extends { id?: number | undefined; name: string }, R extends { id: number; name: string }>(
  entries: E[],
  rows: R[],
  list: 'projects' | 'teams',
  fail: (path: Path, message: string) => void,
  each: (entry: E, index: number, existing: R | undefined) => void,
  missing: (row: R) => void,
): void {
  const what = list === 'projects' ? 'project' : 'team';
  const byName = new Map(rows.map((r) => [lower(r.name), r]));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const twice = unique(entries, (e) => lower(e.name), list, 'name', fail);
  const firstWithId = new Map<number, number>();
  entries.forEach((entry, i) => {
    if (twice.has(i)) return;
    if (entry.id !== undefined) {
      const other = firstWithId.get(entry.id);
      if (other !== undefined) return fail([list, i, 'id'], `id ${entry.id} is also ${yamlPath([list, other])}'s`);
      firstWithId.set(entry.id, i);
    }
    const existing = byName.get(lower(entry.name));
    if (entry.id !== undefined && existing && existing.id !== entry.id) {
      fail([list, i, 'id'], `${what} '${existing.name}' is ${existing.id} in this database, not ${entry.id}: rules name ${list} by id, so the file's rules would mean another ${what}`);
    } else if (entry.id !== undefined && !existing && byId.has(entry.id)) {
      fail([list, i, 'id'], `${what} ${entry.id} is '${byId.get(entry.id)!.name}' in this database (${list} are found by name: rename it there, or give this one another id)`);
    }
    each(entry, i, existing);
  });
  const names = new Set(entries.map((e) => lower(e.name)));
  for (const row of rows) if (!names.has(lower(row.name))) missing(row);
}

/** Settings kept sealed: compared by their plain text, and kept when a file leaves them out. */
const SEALED = new Set(['password', 'oauthClientSecret']);

/** The settings that differ, the sealed ones compared with what is stored. */
function changedSettings(app: App, stored: SourceSettings | SmtpSettings | null, wanted: SourceSettings | SmtpSettings): string[] {
  const before = (stored ?? {}) as Record<string, unknown>;
  const after = wanted as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !SEALED.has(k));
  const fields = keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  for (const key of SEALED) {
    const plain = after[key];
    if (typeof plain === 'string' && !samePassword(app, before[key] as string | undefined, plain)) fields.push(key);
  }
  return fields.sort();
}

function samePassword(app: App, sealed: string | undefined, plain: string): boolean {
  if (!sealed) return false;
  try {
    return app.secrets().decrypt(sealed) === plain;
  } catch {
    // Sealed with another key: setting it again is what fixes that.
    return false;
  }
}

/** The file's SMTP settings as a change that replaces the stored ones: one the file leaves out is cleared. */
function replacingSmtp(stored: SmtpSettings | null, wanted: SmtpSettings): SmtpChanges {
  const gone = Object.fromEntries(Object.keys(stored ?? {}).filter((k) => !SEALED.has(k) && !(k in wanted)).map((k) => [k, null]));
  return { ...gone, ...wanted } as SmtpChanges;
}

/** The file's settings as a change that replaces the stored ones: a setting the file leaves out goes. */
function replacing(stored: SourceSettings | null, wanted: SourceSettings): Partial<SourceSettingsInput> {
  const gone = Object.fromEntries(Object.keys(stored ?? {}).filter((k) => !SEALED.has(k) && !(k in wanted)).map((k) => [k, undefined]));
  return { ...gone, ...wanted } as Partial<SourceSettingsInput>;
}
