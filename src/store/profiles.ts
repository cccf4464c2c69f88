// Profiles: one mailbox (or push endpoint) + its rules. The rules are stored as the admin wrote them;
// callers validate before saving (engine/profile-rules.ts) so a stored rule set always parses.
import type { Db } from './database.js';
import { now } from './database.js';
import type { ProfileTable } from './schema.js';
import type { Selectable } from 'kysely';

export interface Profile {
  id: number;
  name: string;
  rules: string;
  source: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export class ProfileNameError extends Error {}

const NAME = /^[ _0-9A-Za-z.-]{1,100}$/;

export function validateProfileName(raw: string): string {
  const name = raw.trim();
  if (!name) throw new ProfileNameError('a profile needs a name');
  if (!NAME.test(name)) {
    throw new ProfileNameError(
      `profile name '${name}' may only use letters, digits, space, dot, dash and underscore (at most 100)`,
    );
  }
  return name;
}

function toProfile(row: Selectable<ProfileTable>): Profile {
  return {
    id: Number(row.id),
    name: row.name,
    rules: row.rules,
    source: JSON.parse(row.source) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function createProfile(
  db: Db,
  input: { name: string; rules: string; source?: Record<string, unknown> },
): Promise<Profile> {
  const name = validateProfileName(input.name);
  if (await findProfile(db, name)) throw new ProfileNameError(`a profile named '${name}' already exists`);
  const at = now();
  const row = await db
    .insertInto('profiles')
    .values({ name, rules: input.rules, source: JSON.stringify(input.source ?? {}), created_at: at, updated_at: at })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toProfile(row);
}

/** By name (case-insensitive) or by numeric id. */
export async function findProfile(db: Db, nameOrId: string | number): Promise<Profile | undefined> {
  let query = db.selectFrom('profiles').selectAll();
  if (typeof nameOrId === 'number' || /^\d+$/.test(nameOrId)) {
    const byId = await query.where('id', '=', Number(nameOrId)).executeTakeFirst();
    if (byId) return toProfile(byId);
  }
  const name = String(nameOrId).trim().toLowerCase();
  const row = await db
    .selectFrom('profiles')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name))
    .executeTakeFirst();
  return row ? toProfile(row) : undefined;
}

export async function getProfile(db: Db, nameOrId: string | number): Promise<Profile> {
  const profile = await findProfile(db, nameOrId);
  if (!profile) throw new ProfileNameError(`no profile named '${nameOrId}'`);
  return profile;
}

export async function listProfiles(db: Db): Promise<Profile[]> {
  const rows = await db.selectFrom('profiles').selectAll().orderBy('id').execute();
  return rows.map(toProfile);
}

export async function updateProfile(
  db: Db,
  id: number,
  changes: { rules?: string; source?: Record<string, unknown> },
): Promise<Profile> {
  const row = await db
    .updateTable('profiles')
    .set({
      ...(changes.rules !== undefined ? { rules: changes.rules } : {}),
      ...(changes.source !== undefined ? { source: JSON.stringify(changes.source) } : {}),
      updated_at: now(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toProfile(row);
}
