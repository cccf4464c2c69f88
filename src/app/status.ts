// Each profile's health at a glance: last success, last error, next poll, and its messages by outcome.
import { getStatus } from '../sources/status.js';
import { countByOutcome } from '../store/inbox.js';
import { getProfile, listProfiles } from '../store/profiles.js';
import type { Protocol } from '../sources/settings.js';
import type { App } from './app.js';

export interface ProfileStatusView {
  id: number;
  name: string;
  protocol: Protocol | null;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
  nextPollAt: string | null;
  consecutiveFailures: number;
  /** Messages by outcome, plus `pending` and `processing` for those without one yet. */
  counts: Record<string, number>;
}

export async function profileStatuses(app: App, nameOrId?: string | number): Promise<ProfileStatusView[]> {
  const profiles = nameOrId !== undefined ? [await getProfile(app.store.db, nameOrId)] : await listProfiles(app.store.db);
  const rows: ProfileStatusView[] = [];
  for (const p of profiles) {
    const status = await getStatus(app.store.db, p.id);
    rows.push({
      id: p.id,
      name: p.name,
      protocol: p.source?.protocol ?? null,
      lastSuccessAt: status.lastSuccessAt,
      lastErrorAt: status.lastErrorAt,
      lastError: status.lastError,
      nextPollAt: status.nextPollAt,
      consecutiveFailures: status.consecutiveFailures,
      counts: await countByOutcome(app.store.db, p.id),
    });
  }
  return rows;
}
