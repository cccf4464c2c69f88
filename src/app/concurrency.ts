// Processing lanes of a service (`serve`/`worker --concurrency N`, MAILBIND_CONCURRENCY): N loops in one
// process, each claiming a batch of due messages and processing it, then the next. They share the
// service's id and its processor: the service id is what the heartbeat vouches for (a dead service's
// claims are taken over by others; a live one never takes its own, store/inbox.ts), and a claim is a
// row in state `processing` with a renewed lease, so no lane claims what another holds. Parsing and
// deciding are CPU work on one thread: lanes pay off while other lanes wait on the database (its
// commits, its locks), and several worker processes use more cores than the lanes of one.
//
// SQLite is refused more than one lane: one connection and one writer, so a second lane's transaction
// only waits for the first's, and its queries queue behind it on the same connection.
// This file imports nothing heavy: the CLI checks the setting before it opens anything.
import { userError } from './errors.js';

export const MAX_CONCURRENCY = 32;

/** The lanes a service runs: `--concurrency` if given, else MAILBIND_CONCURRENCY, else 1. */
export function concurrencyOf(option: string | undefined, env: NodeJS.ProcessEnv = process.env): { lanes: number; setting: string } {
  if (option !== undefined) return { lanes: parseConcurrency(option, '--concurrency'), setting: `--concurrency ${option.trim()}` };
  const fromEnv = env.MAILBIND_CONCURRENCY;
  if (fromEnv !== undefined && fromEnv !== '') return { lanes: parseConcurrency(fromEnv, 'MAILBIND_CONCURRENCY'), setting: `MAILBIND_CONCURRENCY=${fromEnv.trim()}` };
  return { lanes: 1, setting: '--concurrency 1' };
}

export function parseConcurrency(text: string, name: string): number {
  const trimmed = text.trim();
  const n = /^\d{1,3}$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(n >= 1 && n <= MAX_CONCURRENCY)) {
    throw userError(`${name} must be a whole number of processing lanes from 1 to ${MAX_CONCURRENCY}, got '${text}'`);
  }
  return n;
}

/** More than one lane needs PostgreSQL; `setting` names where the number came from, for the message. */
export function checkLanes(lanes: number, dialect: 'sqlite' | 'postgres', setting = `--concurrency ${lanes}`): void {
  if (lanes > 1 && dialect === 'sqlite') {
    throw userError(
      `${setting} needs PostgreSQL (MAILBIND_DATABASE_URL): SQLite has one writer and one connection, so a second ` +
        'processing lane would only wait for the first; run one lane (the default) on SQLite, or move to PostgreSQL',
    );
  }
}

/**
 * PostgreSQL connections for a service with `lanes` lanes: two per lane (its batch transaction, and the
 * reads and lease renewals beside it) and eight for the rest (intake of several mailboxes at once, the
 * heartbeat, the outbox, the HTTP API). One lane gives the pool of 10 every other command has.
 */
export function poolSizeFor(lanes: number): number {
  return 8 + 2 * lanes;
}
