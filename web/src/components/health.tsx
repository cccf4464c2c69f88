// A profile's health in words: ok, failing since …, or never connected.
import type { ProfileStatus } from './types.js';

export function when(iso: string | null): string {
  if (!iso) return 'never';
  const date = new Date(iso);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function Health({ status }: { status: ProfileStatus }) {
  if (!status.protocol || status.protocol === 'pipe') return <span class="badge neutral">push / import</span>;
  if (status.consecutiveFailures > 0) return <span class="badge bad" title={status.lastError ?? ''}>failing since {when(status.lastErrorAt)}</span>;
  if (!status.lastSuccessAt) return <span class="badge neutral">never connected</span>;
  return <span class="badge good">ok</span>;
}
