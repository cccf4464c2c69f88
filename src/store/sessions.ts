// Browser sessions. A row is keyed by the SHA-256 of the cookie value: the cookie itself is never
// stored, so a copy of the database signs no one in. Expiry rules live in app/sessions.ts.
import type { Db } from './database.js';
import type { Role } from './schema.js';

export interface SessionRow {
  idHash: string;
  accountId: number;
  accountName: string;
  role: Role;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export async function insertSession(
  db: Db,
  input: { idHash: string; accountId: number; csrfToken: string; at: string; expiresAt: string },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: input.idHash,
      account_id: input.accountId,
      csrf_token: input.csrfToken,
      created_at: input.at,
      last_seen_at: input.at,
      expires_at: input.expiresAt,
    })
    .execute();
}

/** The session with its account's current name and role (a role change applies at the next request). */
export async function findSession(db: Db, idHash: string): Promise<SessionRow | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .select([
      'sessions.id_hash',
      'sessions.account_id',
      'accounts.name',
      'accounts.role',
      'sessions.csrf_token',
      'sessions.created_at',
      'sessions.last_seen_at',
      'sessions.expires_at',
    ])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    idHash: row.id_hash,
    accountId: Number(row.account_id),
    accountName: row.name,
    role: row.role,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
}

export async function touchSession(db: Db, idHash: string, at: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Ends every session of an account; how many there were. */
export async function deleteSessionsOf(db: Db, accountId: number): Promise<number> {
  const result = await db.deleteFrom('sessions').where('account_id', '=', accountId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Drops sessions past their absolute expiry or idle since before `idleBefore`. */
export async function deleteExpiredSessions(db: Db, at: string, idleBefore: string): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', at), eb('last_seen_at', '<=', idleBefore)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
