// A part of a transaction that can fail alone. On PostgreSQL one failed statement aborts the whole
// transaction ("current transaction is aborted"), so a batch of rows where one is refused would lose
// them all; inside a savepoint, the refused part is rolled back and the transaction goes on. SQLite
// and PostgreSQL share the syntax.
import { sql } from 'kysely';
import type { Db } from './database.js';

/** What a part did: its value, or the error that rolled it back (the transaction goes on). */
export type PartResult<T> = { value: T } | { refused: Error };

/**
 * Runs `work` inside a savepoint of the transaction `trx`. When `work` throws, what it wrote is rolled
 * back and the error comes back as `refused`. When even the rollback fails (the connection is gone),
 * that error is thrown: the transaction cannot go on.
 */
export async function inSavepoint<T>(trx: Db, work: () => Promise<T>): Promise<PartResult<T>> {
  // Outside a transaction each statement would take a connection of its own, and a SAVEPOINT would
  // begin a transaction nobody ends.
  if (!trx.isTransaction) throw new Error('inSavepoint needs a transaction');
  await sql`savepoint part`.execute(trx);
  try {
    const value = await work();
    await sql`release savepoint part`.execute(trx);
    return { value };
  } catch (error) {
    await sql`rollback to savepoint part`.execute(trx);
    await sql`release savepoint part`.execute(trx);
    return { refused: error instanceof Error ? error : new Error(String(error)) };
  }
}
