// The history of every profile's rules: one row per saved text, numbered 1, 2, 3… per profile. Rows
// are only ever added; restoring an old text adds it again under a new number. The profile's current
// rules are always the text of its highest version (written in the same transaction).
import { PostgresAdapter, type Selectable } from 'kysely';
import type { Db } from './database.js';
import { now } from './database.js';
import type { RulesVersionTable } from './schema.js';

export interface RulesVersion {
  profileId: number;
  version: number;
  rules: string;
  author: string;
  comment: string | null;
  createdAt: string;
}

function toRulesVersion(row: Selectable<RulesVersionTable>): RulesVersion {
  return {
    profileId: Number(row.profile_id),
    version: Number(row.version),
    rules: row.rules,
    author: row.author,
    comment: row.comment,
    createdAt: row.created_at,
  };
}

/**
 * Adds the next version of a profile's rules, unless `ifChanged` and the latest version holds this
 * very text (null then). `db` must be the transaction that changes the profile's rules: the profile's
 * row lock (PostgreSQL; taken here) or the write lock (SQLite: transactions begin immediate) keeps two
 * saves from reading the same latest version and taking the same number.
 */
export async function appendRulesVersion(
  db: Db,
  profileId: number,
  input: { rules: string; author: string; comment: string | null },
  options: { ifChanged?: boolean } = {},
): Promise<RulesVersion | null> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await db.selectFrom('profiles').select('id').where('id', '=', profileId).forUpdate().execute();
  }
  const latest = await latestRulesVersion(db, profileId);
  if (options.ifChanged && latest?.rules === input.rules) return null;
  const row = await db
    .insertInto('rules_versions')
    .values({ profile_id: profileId, version: (latest?.version ?? 0) + 1, rules: input.rules, author: input.author, comment: input.comment, created_at: now() })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRulesVersion(row);
}

export async function latestRulesVersion(db: Db, profileId: number): Promise<RulesVersion | undefined> {
  const row = await db
    .selectFrom('rules_versions')
    .selectAll()
    .where('profile_id', '=', profileId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toRulesVersion(row) : undefined;
}

/** Newest first. */
export async function listRulesVersions(db: Db, profileId: number): Promise<RulesVersion[]> {
  const rows = await db.selectFrom('rules_versions').selectAll().where('profile_id', '=', profileId).orderBy('version', 'desc').execute();
  return rows.map(toRulesVersion);
}

export async function findRulesVersion(db: Db, profileId: number, version: number): Promise<RulesVersion | undefined> {
  const row = await db
    .selectFrom('rules_versions')
    .selectAll()
    .where('profile_id', '=', profileId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row ? toRulesVersion(row) : undefined;
}
