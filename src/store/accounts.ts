// Accounts: a name (unique regardless of case), a role and a scrypt password hash. Callers validate
// names and hash passwords (app/accounts.ts); this module only reads and writes rows.
import type { Selectable } from 'kysely';
import type { Db, Store } from './database.js';
import { now } from './database.js';
import type { AccountTable, Role } from './schema.js';

export interface Account {
  id: number;
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: string;
  updatedAt: string;
}

function toAccount(row: Selectable<AccountTable>): Account {
  return {
    id: Number(row.id),
    name: row.name,
    role: row.role,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A second row with the same lower(name): the unique index refused it (SQLite and PostgreSQL codes). */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Null when the name is taken (in any case), also when another process took it a moment ago. */
export async function insertAccount(db: Db, input: { name: string; role: Role; passwordHash: string }): Promise<Account | null> {
  const at = now();
  try {
    const row = await db
      .insertInto('accounts')
      .values({ name: input.name, role: input.role, password_hash: input.passwordHash, created_at: at, updated_at: at })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAccount(row);
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

export async function findAccount(db: Db, name: string): Promise<Account | undefined> {
  const row = await db
    .selectFrom('accounts')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

export async function findAccountById(db: Db, id: number): Promise<Account | undefined> {
  const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

export async function listAccounts(db: Db): Promise<Account[]> {
  return (await db.selectFrom('accounts').selectAll().orderBy('id').execute()).map(toAccount);
}

export async function countAccounts(db: Db): Promise<number> {
  const row = await db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The ids of the admin accounts. Inside a PostgreSQL transaction it locks their rows, so two
 * transactions that each remove or demote an admin run one after the other and the second sees
 * the first's change (SQLite transactions here take the write lock up front anyway).
 */
export async function lockAdmins(db: Db, dialect: Store['dialect']): Promise<number[]> {
  let query = db.selectFrom('accounts').select('id').where('role', '=', 'admin');
  if (dialect === 'postgres') query = query.forUpdate();
  return (await query.execute()).map((row) => Number(row.id));
}

export async function updateAccount(db: Db, id: number, changes: { role?: Role; passwordHash?: string }): Promise<Account> {
  const row = await db
    .updateTable('accounts')
    .set({
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.passwordHash !== undefined ? { password_hash: changes.passwordHash } : {}),
      updated_at: now(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAccount(row);
}

export async function deleteAccount(db: Db, id: number): Promise<void> {
  // Its sessions go with it (the foreign key cascades; said here too so it does not hang on that).
  await db.deleteFrom('sessions').where('account_id', '=', id).execute();
  await db.deleteFrom('accounts').where('id', '=', id).execute();
}
