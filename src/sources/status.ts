// Each profile's polling status: last success, last error, next poll, since when it has been failing
// (the first failure of the current streak), the messages the latest poll could not download, the
// first-run baseline and a source-specific cursor. Written by the scheduler and the sources, read by
// `profile status`.
import type { Db } from '../store/database.js';
import { now } from '../store/database.js';
import { dbNow } from '../store/db-clock.js';
import { staleBefore } from '../store/services.js';

export interface ProfileStatus {
  profileId: number;
  baselineAt: string | null;
  lastPollAt: string | null;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
  nextPollAt: string | null;
  consecutiveFailures: number;
  /** The first failure of the current streak (lastErrorAt is the latest); null while polls succeed. */
  failingSince: string | null;
  /** The messages the latest successful poll could not download; null when it downloaded all it found. */
  downloadFailures: DownloadFailures | null;
  cursor: Record<string, unknown> | null;
}

/**
 * Messages a poll found on the server and could not download (the server refused one, or the database
 * its row). Each stays on the server and is tried again by every poll; the poll itself succeeded, so
 * without this it looked healthy and the message was named only in the log.
 */
export interface DownloadFailures {
  /** How many there were; `first` holds up to LISTED_DOWNLOAD_FAILURES of them, in the poll's order. */
  total: number;
  first: DownloadFailure[];
}

export interface DownloadFailure {
  /** The message's origin key (the mailbox, and its UID or UIDL). */
  key: string;
  error: string;
  /** The first poll of the current run of polls that could not download it. */
  since: string;
}

/** How many failed messages the status names (the rest are counted): a mailbox can hold thousands. */
export const LISTED_DOWNLOAD_FAILURES = 20;
const ERROR_CHARS = 500;

export async function getStatus(db: Db, profileId: number): Promise<ProfileStatus> {
  const row = await db.selectFrom('profile_status').selectAll().where('profile_id', '=', profileId).executeTakeFirst();
  return {
    profileId,
    baselineAt: row?.baseline_at ?? null,
    lastPollAt: row?.last_poll_at ?? null,
    lastSuccessAt: row?.last_success_at ?? null,
    lastErrorAt: row?.last_error_at ?? null,
    lastError: row?.last_error ?? null,
    nextPollAt: row?.next_poll_at ?? null,
    consecutiveFailures: row?.consecutive_failures ?? 0,
    failingSince: row?.failing_since ?? null,
    downloadFailures: row?.download_failures ? (JSON.parse(row.download_failures) as DownloadFailures) : null,
    cursor: row?.cursor ? (JSON.parse(row.cursor) as Record<string, unknown>) : null,
  };
}

type StatusChange = Partial<Omit<ProfileStatus, 'profileId' | 'cursor'>> & { cursor?: Record<string, unknown> | null };

export async function updateStatus(db: Db, profileId: number, change: StatusChange): Promise<void> {
  const values = {
    ...(change.baselineAt !== undefined ? { baseline_at: change.baselineAt } : {}),
    ...(change.lastPollAt !== undefined ? { last_poll_at: change.lastPollAt } : {}),
    ...(change.lastSuccessAt !== undefined ? { last_success_at: change.lastSuccessAt } : {}),
    ...(change.lastErrorAt !== undefined ? { last_error_at: change.lastErrorAt } : {}),
    ...(change.lastError !== undefined ? { last_error: change.lastError } : {}),
    ...(change.nextPollAt !== undefined ? { next_poll_at: change.nextPollAt } : {}),
    ...(change.consecutiveFailures !== undefined ? { consecutive_failures: change.consecutiveFailures } : {}),
    ...(change.failingSince !== undefined ? { failing_since: change.failingSince } : {}),
    // No failures, no streak: whoever resets the count (a success, a settings change) ends it.
    ...(change.consecutiveFailures === 0 && change.failingSince === undefined ? { failing_since: null } : {}),
    ...(change.cursor !== undefined ? { cursor: change.cursor === null ? null : JSON.stringify(change.cursor) } : {}),
    ...(change.downloadFailures !== undefined ? { download_failures: change.downloadFailures && JSON.stringify(change.downloadFailures) } : {}),
  };
  await db
    .insertInto('profile_status')
    .values({ profile_id: profileId, consecutive_failures: 0, ...values })
    .onConflict((oc) => oc.column('profile_id').doUpdateSet(values))
    .execute();
}

/**
 * A poll that ran to its end, with the messages it could not download (none: the status names none any
 * more; undefined: it was stopped before it looked at them all, and the list stays as it was). A message
 * listed as failing before keeps the `since` of its first failure (only the listed ones are remembered).
 */
export async function recordPollSuccess(db: Db, profileId: number, nextPollAt: string,
  failed?: ReadonlyArray<{ key: string; error: string }>): Promise<void> {
  const at = now();
  const change: StatusChange = { lastPollAt: at, lastSuccessAt: at, consecutiveFailures: 0, nextPollAt };
  if (failed && !failed.length) change.downloadFailures = null;
  if (failed?.length) change.downloadFailures = listFailures(failed, (await getStatus(db, profileId)).downloadFailures, at);
  await updateStatus(db, profileId, change);
}

/** The poll's failed messages as the status keeps them, each listed one failing since `before` said, or `at`. */
function listFailures(failed: ReadonlyArray<{ key: string; error: string }>, before: DownloadFailures | null, at: string): DownloadFailures {
  const since = new Map(before?.first.map((f) => [f.key, f.since]));
  return {
    total: failed.length,
    first: failed.slice(0, LISTED_DOWNLOAD_FAILURES).map(({ key, error }) => ({ key, error: error.slice(0, ERROR_CHARS), since: since.get(key) ?? at })),
  };
}

export async function recordPollFailure(db: Db, profileId: number, error: string, nextPollAt: string): Promise<number> {
  const status = await getStatus(db, profileId);
  const failures = status.consecutiveFailures + 1;
  const at = now();
  // The streak starts at its first failure and keeps that start however many follow.
  const failingSince = status.consecutiveFailures === 0 ? at : (status.failingSince ?? at);
  await updateStatus(db, profileId, { lastPollAt: at, lastErrorAt: at, lastError: error, consecutiveFailures: failures, failingSince, nextPollAt });
  return failures;
}

/**
 * Take (or renew) the right to poll this profile's mailbox until leaseUntil. Atomic on both
 * databases: the update only succeeds when the lease is free, expired, already ours, or held by a
 * service that stopped beating (killed): then `onTakeover` hears whose it was.
 */
export async function acquirePollLease(
  db: Db,
  profileId: number,
  owner: string,
  leaseMs: number,
  onTakeover?: (from: string, why: 'lease expired' | 'holder stopped') => void,
): Promise<boolean> {
  await db
    .insertInto('profile_status')
    .values({ profile_id: profileId, consecutive_failures: 0 })
    .onConflict((oc) => oc.column('profile_id').doNothing())
    .execute();
  // Leases are written and judged by the database's clock: workers on several hosts share it.
  const before = await db
    .selectFrom('profile_status')
    .select(['lease_owner', 'lease_until', dbNow(db).as('at')])
    .where('profile_id', '=', profileId)
    .executeTakeFirst();
  const at = before?.at ?? '';
  const result = await db
    .updateTable('profile_status')
    .set({ lease_owner: owner, lease_until: dbNow(db, leaseMs) })
    .where('profile_id', '=', profileId)
    .where((eb) =>
      eb.or([
        eb('lease_owner', 'is', null),
        eb('lease_owner', '=', owner),
        eb('lease_until', '<', dbNow(db)),
        eb.exists(
          eb.selectFrom('services').select('services.id')
            .whereRef('services.id', '=', 'profile_status.lease_owner')
            .where('services.beat_at', '<', staleBefore(db)),
        ),
      ]),
    )
    .executeTakeFirst();
  const taken = Number(result.numUpdatedRows) === 1;
  // Read before the update, so with many contenders the name may be a moment old; the fact of the
  // takeover is not.
  const previous = before?.lease_owner;
  if (taken && previous && previous !== owner) {
    onTakeover?.(previous, before?.lease_until && before.lease_until < at ? 'lease expired' : 'holder stopped');
  }
  return taken;
}

export async function releasePollLease(db: Db, profileId: number, owner: string): Promise<void> {
  await db
    .updateTable('profile_status')
    .set({ lease_owner: null, lease_until: null })
    .where('profile_id', '=', profileId)
    .where('lease_owner', '=', owner)
    .execute();
}
