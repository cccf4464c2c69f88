// What an operator watches, read in a few grouped queries: each profile's backlog, its poll health,
// whether processing moves at all, and whether the database answers. Read by metrics, alerts and
// readiness (app/), which decide what the numbers mean.
import type { Db } from './database.js';
import { sql } from './database.js';

/** Messages without an outcome yet (pending or being processed), by profile id; absent means none. */
export async function unfinishedByProfile(db: Db): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('inbox_items')
    .select((eb) => ['profile_id', eb.fn.countAll<number>().as('n')])
    .where('state', 'in', ['pending', 'processing'])
    .groupBy('profile_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.profile_id), Number(r.n)]));
}

export interface PollHealth {
  profileId: number;
  lastSuccessAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  /** Messages the latest successful poll could not download (sources/status.ts DownloadFailures). */
  notDownloaded: number;
  /** The first of them, as the status lists it; null when there are none. */
  firstNotDownloaded: { key: string; error: string; since: string } | null;
}

/** Every profile's poll status row (profiles never polled have none). */
export async function pollHealth(db: Db): Promise<PollHealth[]> {
  const rows = await db
    .selectFrom('profile_status')
    .select(['profile_id', 'last_success_at', 'last_error', 'consecutive_failures', 'download_failures'])
    .execute();
  return rows.map((r) => {
    const failures = downloadFailures(r.download_failures);
    return {
      profileId: Number(r.profile_id),
      lastSuccessAt: r.last_success_at,
      lastError: r.last_error,
      consecutiveFailures: Number(r.consecutive_failures),
      notDownloaded: failures.total,
      firstNotDownloaded: failures.first,
    };
  });
}

/**
 * A status row's download failures as the checks read them. A value that does not read as the poll wrote
 * it counts as none: one row must not stop every profile's alerts and metrics.
 */
function downloadFailures(text: string | null): { total: number; first: PollHealth['firstNotDownloaded'] } {
  if (!text) return { total: 0, first: null };
  let value: { total?: unknown; first?: unknown } | null;
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    return { total: 0, first: null };
  }
  const first = Array.isArray(value?.first) ? (value.first[0] as Record<string, unknown> | undefined) : undefined;
  const listed = first && typeof first.key === 'string' && typeof first.error === 'string' && typeof first.since === 'string'
    ? { key: first.key, error: first.error, since: first.since }
    : null;
  return { total: Number(value?.total) || 0, first: listed };
}

export interface ProcessingProgress {
  /**
   * Unfinished messages that were already due at `before`: pending ones whose (retry) time had come by
   * then, and ones being processed that arrived by then. A message waiting out its retry backoff is not
   * stuck, and one that just arrived has not had its chance yet.
   */
  overdue: number;
  /** When the last message got its outcome; null when none ever did. */
  lastFinishedAt: string | null;
}

export async function processingProgress(db: Db, before: string): Promise<ProcessingProgress> {
  const overdue = await db
    .selectFrom('inbox_items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'pending'), eb('next_attempt_at', '<=', before)]),
        eb.and([eb('state', '=', 'processing'), eb('received_at', '<=', before)]),
      ]),
    )
    .executeTakeFirstOrThrow();
  const last = await db
    .selectFrom('inbox_items')
    .select((eb) => eb.fn.max('processed_at').as('at'))
    .executeTakeFirst();
  return { overdue: Number(overdue.n), lastFinishedAt: (last?.at as string | null | undefined) ?? null };
}

/** The cheapest question the database can answer; throws when it cannot. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
