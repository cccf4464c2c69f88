// Each profile's health at a glance: last success, last error, next poll, its messages by outcome, and
// for an OAuth2 mailbox its sign-in (never a token).
import { getStatus, type DownloadFailures } from '../sources/status.js';
import { countByOutcome, countUnfinished } from '../store/inbox.js';
import { signInStatuses } from '../store/oauth-tokens.js';
import { getProfile, listProfiles } from '../store/profiles.js';
import type { Protocol } from '../sources/settings.js';
import type { App } from './app.js';
import { signInView, type SignInView } from './profile-view.js';
import { signInSummary, signsIn } from './sign-in-view.js';

export interface ProfileStatusView {
  id: number;
  name: string;
  protocol: Protocol | null;
  lastPollAt: string | null;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
  nextPollAt: string | null;
  consecutiveFailures: number;
  /** The first failure of the current streak of failed polls (lastErrorAt is the latest); null while polls succeed. */
  failingSince: string | null;
  /** The messages the latest successful poll found on the server and could not download; null when none. */
  downloadFailures: DownloadFailures | null;
  /** Messages waiting for an outcome (pending or being processed). */
  backlog: number;
  /** Messages by outcome, plus `pending` and `processing` for those without one yet. */
  counts: Record<string, number>;
  /** The same, for messages received since midnight UTC. */
  countsToday: Record<string, number>;
  /** An OAuth2 mailbox's sign-in; null for a password mailbox or one not signed in yet. */
  signIn: SignInView | null;
  /** The sign-in in words ("signed in as …", "refresh failing since …", "stopped: … — sign in again", "not signed in: …"); null for a password mailbox. */
  signInSummary: string | null;
}

export async function profileStatuses(app: App, nameOrId?: string | number): Promise<ProfileStatusView[]> {
  const profiles = nameOrId !== undefined ? [await getProfile(app.store.db, nameOrId)] : await listProfiles(app.store.db);
  const oauth = profiles.filter(signsIn).map((p) => p.id);
  const signIns = new Map((await signInStatuses(app.store.db, oauth)).map((s) => [s.profileId, s]));
  const rows: ProfileStatusView[] = [];
  for (const p of profiles) {
    const status = await getStatus(app.store.db, p.id);
    const stored = signIns.get(p.id);
    const signIn = stored ? signInView(stored) : null;
    rows.push({
      id: p.id,
      name: p.name,
      protocol: p.source?.protocol ?? null,
      lastPollAt: status.lastPollAt,
      lastSuccessAt: status.lastSuccessAt,
      lastErrorAt: status.lastErrorAt,
      lastError: status.lastError,
      nextPollAt: status.nextPollAt,
      consecutiveFailures: status.consecutiveFailures,
      failingSince: status.failingSince,
      downloadFailures: status.downloadFailures,
      backlog: await countUnfinished(app.store.db, p.id),
      counts: await countByOutcome(app.store.db, p.id),
      countsToday: await countByOutcome(app.store.db, p.id, startOfTodayUtc()),
      signIn,
      signInSummary: signInSummary(p, signIn, Date.now(), stored?.lastErrorCode ?? null),
    });
  }
  return rows;
}

function startOfTodayUtc(now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();
}
