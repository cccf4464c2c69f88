// Profiles: one mailbox (or push endpoint) + its rules. The rules are stored as the admin wrote them;
// callers validate before saving (app/rules.ts) so a stored rule set always parses. The mailbox
// settings are stored as the settings schema of sources/settings.ts leaves them (password sealed).
import type { Db } from './database.js';
import { now } from './database.js';
import type { ProfileTable } from './schema.js';
import type { Selectable } from 'kysely';
import type { SourceSettings } from '../sources/settings.js';
import { DEFAULT_THREADING, readThreadingSettings, type ThreadingSettings } from './threading-settings.js';
import { readSmtpSettings } from './smtp-settings-core.js';
import type { SmtpSettings } from './smtp-settings.js';

export interface Profile {
  id: number;
  name: string;
  rules: string;
  /** The mailbox, with its password encrypted; null for a profile that only takes imported mail. */
  source: SourceSettings | null;
  /** The history version whose text `rules` is (null only for a profile saved outside app/). */
  rulesVersion: number | null;
  /** How replies find their item and who may add to it. */
  threading: ThreadingSettings;
  /** Where its outgoing mail goes, password sealed; null: the profile sends nothing. */
  smtp: SmtpSettings | null;
  createdAt: string;
  updatedAt: string;
}

export class ProfileNameError extends Error {
  constructor(
    message: string,
    /** invalid: not a usable name; taken: another profile has it; missing: no such profile. */
    readonly reason: 'invalid' | 'taken' | 'missing',
  ) {
    super(message);
  }
}

const NAME = /^[ _0-9A-Za-z.-]{1,100}$/;

export function validateProfileName(raw: string): string {
  const name = raw.trim();
  if (!name) throw new ProfileNameError('a profile needs a name', 'invalid');
  if (!NAME.test(name)) {
    throw new ProfileNameError(
      `profile name '${name}' may only use letters, digits, space, dot, dash and underscore (at most 100)`,
      'invalid',
    );
  }
  return name;
}

type ProfileRow = Selectable<ProfileTable> & { rules_version: number | null };

function toProfile(row: ProfileRow): Profile {
  const source = JSON.parse(row.source) as Partial<SourceSettings>;
  return {
    id: Number(row.id),
    name: row.name,
    rules: row.rules,
    // Written only through the settings schema; `{}` is how an import-only profile is stored.
    source: source.protocol ? (source as SourceSettings) : null,
    rulesVersion: row.rules_version === null ? null : Number(row.rules_version),
    threading: readThreadingSettings(row.threading),
    smtp: readSmtpSettings(row.smtp),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function createProfile(
  db: Db,
  input: { name: string; rules: string; source?: SourceSettings | null; threading?: ThreadingSettings; smtp?: SmtpSettings | null },
): Promise<Profile> {
  const name = validateProfileName(input.name);
  if (await findProfile(db, name)) throw new ProfileNameError(`a profile named '${name}' already exists`, 'taken');
  const at = now();
  const row = await db
    .insertInto('profiles')
    .values({
      name,
      rules: input.rules,
      source: JSON.stringify(input.source ?? {}),
      threading: JSON.stringify(input.threading ?? DEFAULT_THREADING),
      smtp: JSON.stringify(input.smtp ?? {}),
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return (await profileById(db, Number(row.id)))!;
}

/**
 * Profiles with the number of their latest rules version, read in the same statement as the rules so
 * that the two always belong together (a save writes both in one transaction).
 */
function selectProfiles(db: Db) {
  return db
    .selectFrom('profiles')
    .selectAll('profiles')
    .select((eb) =>
      eb.selectFrom('rules_versions')
        .select((v) => v.fn.max('rules_versions.version').as('v'))
        .whereRef('rules_versions.profile_id', '=', 'profiles.id')
        .as('rules_version'),
    );
}

async function profileById(db: Db, id: number): Promise<Profile | undefined> {
  const row = await selectProfiles(db).where('profiles.id', '=', id).executeTakeFirst();
  return row ? toProfile(row) : undefined;
}

/** By name (case-insensitive) or by numeric id. */
export async function findProfile(db: Db, nameOrId: string | number): Promise<Profile | undefined> {
  if (typeof nameOrId === 'number' || /^\d+$/.test(nameOrId)) {
    const byId = await profileById(db, Number(nameOrId));
    if (byId) return byId;
  }
  const name = String(nameOrId).trim().toLowerCase();
  const row = await selectProfiles(db)
    .where((eb) => eb(eb.fn('lower', ['profiles.name']), '=', name))
    .executeTakeFirst();
  return row ? toProfile(row) : undefined;
}

export async function getProfile(db: Db, nameOrId: string | number): Promise<Profile> {
  const profile = await findProfile(db, nameOrId);
  if (!profile) throw new ProfileNameError(`no profile named '${nameOrId}'`, 'missing');
  return profile;
}

export async function listProfiles(db: Db): Promise<Profile[]> {
  const rows = await selectProfiles(db).orderBy('profiles.id').execute();
  return rows.map(toProfile);
}

export async function updateProfile(
  db: Db,
  id: number,
  changes: { rules?: string; source?: SourceSettings | null; threading?: ThreadingSettings; smtp?: SmtpSettings | null },
): Promise<Profile> {
  await db
    .updateTable('profiles')
    .set({
      ...(changes.rules !== undefined ? { rules: changes.rules } : {}),
      ...(changes.source !== undefined ? { source: JSON.stringify(changes.source ?? {}) } : {}),
      ...(changes.threading !== undefined ? { threading: JSON.stringify(changes.threading) } : {}),
      ...(changes.smtp !== undefined ? { smtp: JSON.stringify(changes.smtp ?? {}) } : {}),
      updated_at: now(),
    })
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const updated = await profileById(db, id);
  if (!updated) throw new ProfileNameError(`no profile ${id}`, 'missing');
  return updated;
}

/**
 * Removes the profile with its status and inbox log (the tracker's items stay), in one statement and
 * only while none of its messages waits for processing: a message stored a moment ago is never lost
 * to the delete. False when such a message exists.
 */
export async function deleteProfileIfSettled(db: Db, id: number): Promise<boolean> {
  const result = await db
    .deleteFrom('profiles')
    .where('id', '=', id)
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('inbox_items').select('inbox_items.id')
        .whereRef('inbox_items.profile_id', '=', 'profiles.id')
        .where('inbox_items.state', 'in', ['pending', 'processing']))),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** The SHA-256 (hex) of a profile's push-intake token, or null to turn push intake off. */
export async function setIntakeTokenHash(db: Db, profileId: number, hash: string | null): Promise<void> {
  await db.updateTable('profiles').set({ intake_token_hash: hash, updated_at: now() }).where('id', '=', profileId).execute();
}

export async function intakeTokenHash(db: Db, profileId: number): Promise<string | null> {
  const row = await db.selectFrom('profiles').select('intake_token_hash').where('id', '=', profileId).executeTakeFirst();
  return row?.intake_token_hash ?? null;
}
