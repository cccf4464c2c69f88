// How long processing waits for a lock another database session holds, on PostgreSQL.
//
// A message's work takes row locks other sessions may hold: a requester row another transaction
// inserted and has not committed, an item a reply comments on, a profile's outbox lock. Between
// mailbind's own workers such a wait lasts about one message (Processor.endsTransaction). But a session
// that never ends its transaction (a psql left open in BEGIN, a client stopped mid-transaction) would
// keep the message waiting for good, its claim renewed all along: no outcome, no error, nothing a
// person sees. PostgreSQL's lock_timeout bounds each wait; past it the statement fails, the message's
// savepoint rolls back alone, and it is retried later with why. SQLite has its own bound (busy_timeout
// and a deadline, sqlite-dialect.ts) of the same length.
import { PostgresAdapter, sql } from 'kysely';
import type { Db } from './database.js';

/** How long one wait for a lock lasts before the statement gives up (SHARED_SQLITE_DEFAULTS.deadlineMs alike). */
export const LOCK_WAIT_MS = 30_000;

/** Bounds every lock wait of the transaction `trx` on PostgreSQL to `ms` (its end sets it back). */
export async function boundLockWaits(trx: Db, ms: number): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return;
  // set_config(…, true) is SET LOCAL, with the value as a bind parameter (SET takes none).
  await sql`select set_config('lock_timeout', ${`${Math.max(1, Math.round(ms))}ms`}, true)`.execute(trx);
}

/** PostgreSQL's lock_not_available: a wait past lock_timeout (mailbind takes no lock with NOWAIT). */
export function isLockWaitTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '55P03';
}

/** The error a person reads for a lock wait that ran out; any other error is returned as it is. */
export function lockWaitExplained(error: unknown, ms: number): unknown {
  if (!isLockWaitTimeout(error)) return error;
  const waited = ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
  return new Error(
    `waited ${waited} for a lock another database session holds (a requester, an item or a profile's outbox this ` +
      'message needs); it is tried again later. A session left open in a transaction is the usual cause: ' +
      "see pg_stat_activity, state 'idle in transaction'",
    { cause: error },
  );
}
