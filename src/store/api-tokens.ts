// API tokens: a name, a role and the SHA-256 of the token (the token itself is never stored). Revoked
// tokens stay as rows, so a list shows what existed and when it was revoked.
import type { Selectable } from 'kysely';
import type { Db } from './database.js';
import type { ApiTokenTable, Role } from './schema.js';

export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  prefix: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function toToken(row: Selectable<ApiTokenTable>): ApiToken {
  return {
    id: Number(row.id),
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export async function insertToken(
  db: Db,
  input: { name: string; role: Role; tokenHash: string; prefix: string; createdBy: string; at: string },
): Promise<ApiToken> {
  const row = await db
    .insertInto('api_tokens')
    .values({ name: input.name, role: input.role, token_hash: input.tokenHash, prefix: input.prefix, created_by: input.createdBy, created_at: input.at })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toToken(row);
}

export async function listTokens(db: Db): Promise<ApiToken[]> {
  return (await db.selectFrom('api_tokens').selectAll().orderBy('id').execute()).map(toToken);
}

export async function findTokenById(db: Db, id: number): Promise<ApiToken | undefined> {
  const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toToken(row) : undefined;
}

/** Tokens not revoked with this name, regardless of case. */
export async function findActiveTokensByName(db: Db, name: string): Promise<ApiToken[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .where('revoked_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map(toToken);
}

export async function findTokenByHash(db: Db, tokenHash: string): Promise<ApiToken | undefined> {
  const row = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return row ? toToken(row) : undefined;
}

/** Revokes a token not yet revoked; undefined when it was already (or does not exist). */
export async function revokeToken(db: Db, id: number, at: string): Promise<ApiToken | undefined> {
  const row = await db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return row ? toToken(row) : undefined;
}

export async function touchToken(db: Db, id: number, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}

/** The tokens an account made still follow it: revoked when it goes, viewer-only when it is demoted. */
export async function revokeTokensOf(db: Db, createdBy: string, at: string): Promise<number> {
  const result = await db.updateTable('api_tokens').set({ revoked_at: at }).where('created_by', '=', createdBy).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function demoteTokensOf(db: Db, createdBy: string): Promise<number> {
  const result = await db.updateTable('api_tokens').set({ role: 'viewer' }).where('created_by', '=', createdBy).where('role', '=', 'admin').executeTakeFirst();
  return Number(result.numUpdatedRows);
}
