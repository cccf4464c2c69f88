// The message log: newest first, filtered by profile, outcome, date and text, new mail appearing on
// top without a reload (see use-live-messages.ts), older pages on request.
import { useState } from 'preact/hooks';
import { when } from '../components/health.js';
import type { MessageSummary } from '../components/message-types.js';
import { OutcomeBadge } from '../components/outcome.js';
import type { Profile } from '../components/types.js';
import { useApi } from '../components/use-api.js';
import { useLiveMessages } from '../components/use-live-messages.js';

const OUTCOMES = ['imported', 'commented', 'skipped', 'ignored', 'failed', 'pending'];

interface Filters { profileId: string; outcome: string; since: string; until: string; q: string }

function queryOf(f: Filters): string {
  const parts = Object.entries(f).filter(([, v]) => v.trim() !== '').map(([k, v]) => `&${k}=${encodeURIComponent(sent(k as keyof Filters, v.trim()))}`);
  return parts.join('');
}

/**
 * A chosen day means the viewer's day, not UTC's: the API takes instants, so `since` is the local
 * midnight that starts the day and `until` the one that ends it (the next day's), so that the day
 * chosen as the last one is included.
 */
function sent(key: keyof Filters, value: string): string {
  if (key !== 'since' && key !== 'until') return value;
  const [y, m, d] = value.split('-').map(Number);
  if (!y || !m || !d) return value; // not a whole date: the API says what is wrong with it
  return new Date(y, m - 1, key === 'until' ? d + 1 : d).toISOString();
}

export function MessagesPage() {
  const profiles = useApi<{ profiles: Profile[] }>('/profiles');
  const [draft, setDraft] = useState<Filters>({ profileId: '', outcome: '', since: '', until: '', q: '' });
  const [applied, setApplied] = useState(draft);
  const log = useLiveMessages(queryOf(applied));
  const set = (key: keyof Filters) => (e: Event) => {
    const next = { ...draft, [key]: (e.currentTarget as HTMLInputElement).value };
    setDraft(next);
    // Choices apply at once; typed text applies on Search (or Enter).
    if (key === 'profileId' || key === 'outcome' || key === 'since' || key === 'until') setApplied(next);
  };
  const profileName = (id: number) => profiles.data?.profiles.find((p) => p.id === id)?.name ?? `profile ${id}`;
  return (
    <section>
      <h1>Messages</h1>
      <form class="filters" role="search" aria-label="Filter messages" onSubmit={(e) => (e.preventDefault(), setApplied(draft))}>
        <div class="field">
          <label for="f-profile">Profile</label>
          <select id="f-profile" value={draft.profileId} onChange={set('profileId')}>
            <option value="">All profiles</option>
            {profiles.data?.profiles.map((p) => <option key={p.id} value={String(p.id)}>{p.name}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="f-outcome">Outcome</label>
          <select id="f-outcome" value={draft.outcome} onChange={set('outcome')}>
            <option value="">Any outcome</option>
            {OUTCOMES.map((o) => <option key={o} value={o}>{o}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="f-since">Received from</label>
          <input id="f-since" type="date" value={draft.since} onChange={set('since')} />
        </div>
        <div class="field">
          <label for="f-until">Received until</label>
          <input id="f-until" type="date" value={draft.until} onChange={set('until')} aria-describedby="f-until-hint" />
          <span id="f-until-hint" class="hint">this day included</span>
        </div>
        <div class="field">
          <label for="f-q">Subject or sender</label>
          <input id="f-q" type="search" value={draft.q} onInput={set('q')} />
        </div>
        <div class="field"><span aria-hidden="true">&nbsp;</span><button type="submit">Search</button></div>
      </form>
      {profiles.error && <p class="error" role="alert">{profiles.error}</p>}
      {log.error && <p class="error" role="alert">{log.error}</p>}
      <p class="visually-hidden" role="status">{log.arrived > 0 ? `${log.arrived} new message${log.arrived === 1 ? '' : 's'}` : ''}</p>
      {log.gap && <p class="hint">Many messages arrived at once; <a href="/messages">reload the log</a> to be sure none in between is missing.</p>}
      {log.messages === undefined && !log.error && <p role="status">Loading messages…</p>}
      {log.messages?.length === 0 && (
        <p class="empty">
          {queryOf(applied) ? 'No message matches these filters — widen them, or clear the text.' : 'No messages yet. They appear here as soon as a profile receives mail (this list updates by itself), or after an import (mailbind import).'}
        </p>
      )}
      {log.messages && log.messages.length > 0 && (
        <table class="messages">
          <caption class="visually-hidden">Messages, newest first; new ones appear on top</caption>
          <thead><tr><th scope="col">Received</th><th scope="col">Subject</th><th scope="col">From</th><th scope="col">Profile</th><th scope="col">Outcome</th><th scope="col">What happened</th></tr></thead>
          <tbody>{log.messages.map((m) => <Row key={m.id} m={m} profile={profileName(m.profileId)} />)}</tbody>
        </table>
      )}
      {log.more && (
        <p><button type="button" class="secondary" disabled={log.loadingOlder} onClick={log.loadOlder}>{log.loadingOlder ? 'Loading older messages…' : 'Older messages'}</button></p>
      )}
    </section>
  );
}

function Row({ m, profile }: { m: MessageSummary; profile: string }) {
  return (
    <tr>
      <td>{when(m.receivedAt)}</td>
      <td><a href={`/messages/${m.id}`}>{m.subject || '(no subject)'}</a></td>
      <td>{m.from ?? '—'}</td>
      <td>{profile}</td>
      <td><OutcomeBadge message={m} /></td>
      <td>{m.actions.join('; ') || m.reason || m.lastError || ''}</td>
    </tr>
  );
}
