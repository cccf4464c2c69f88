// A profile's health in words: ok, failing since … (the start of the streak, not the latest failure)
// with the error itself as text beside it (a tooltip alone reaches neither keyboards nor touch), polls
// that work but leave messages on the server they could not download, or never connected.
import type { ProfileStatus } from './types.js';

export function when(iso: string | null): string {
  if (!iso) return 'never';
  const date = new Date(iso);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function Health({ status }: { status: ProfileStatus }) {
  if (!status.protocol || status.protocol === 'pipe') return <span class="badge neutral">push / import</span>;
  if (status.consecutiveFailures > 0) {
    const polls = status.consecutiveFailures === 1 ? '1 failed poll' : `${status.consecutiveFailures} failed polls`;
    return (
      <span class="health-failing">
        <span class="badge bad">failing since {when(status.failingSince ?? status.lastErrorAt)}</span>
        <span class="health-error">{status.lastError ?? 'no error recorded'} ({polls}, the latest {when(status.lastErrorAt)})</span>
      </span>
    );
  }
  if (!status.lastSuccessAt) return <span class="badge neutral">never connected</span>;
  const failures = status.downloadFailures;
  if (failures && failures.first.length) {
    const first = failures.first[0]!;
    const count = failures.total === 1 ? '1 message' : `${failures.total} messages`;
    const others = failures.total - 1;
    return (
      <span class="health-failing">
        <span class="badge warn">{count} not downloaded</span>
        <span class="health-error">
          {first.error} ({first.key}, since {when(first.since)}
          {others ? `; and ${others} more, listed by mailbind profile status` : ''}; {failures.total === 1 ? 'it stays' : 'they stay'} on the
          server and every poll tries again)
        </span>
      </span>
    );
  }
  return <span class="badge good">ok</span>;
}
