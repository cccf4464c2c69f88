// Admin → Audit log: who changed what, newest first, a page at a time (the API's `next` cursor).
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../../api.js';
import type { AuditEntry } from '../../components/admin-types.js';
import { when } from '../../components/health.js';

const PAGE = 50;

export function AuditPage() {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = async (before: number | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api<{ entries: AuditEntry[]; next: number | null }>(`/audit?limit=${PAGE}${before ? `&before=${before}` : ''}`);
      setEntries((shown) => (before ? [...(shown ?? []), ...page.entries] : page.entries));
      setNext(page.next);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(null), []);

  return (
    <section>
      <h1>Audit log</h1>
      <p class="hint">Every change to profiles, rules, accounts, tokens and the tracker, with who made it. Secrets are never recorded.</p>
      {entries && entries.length === 0 && <p class="empty">Nothing recorded yet — changes made by admins, in this UI, the API or the command line, appear here.</p>}
      {entries && entries.length > 0 && (
        <table>
          <caption class="visually-hidden">Audit log, newest first</caption>
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">On</th><th scope="col">Details</th></tr></thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td>{when(entry.at)}</td>
                <td>{entry.actor}</td>
                <td><code>{entry.action}</code></td>
                <td>{entry.target}</td>
                <td>{detailsText(entry.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      {loading && <p role="status">Loading…</p>}
      {next !== null && !loading && <button type="button" class="secondary" onClick={() => void load(next)}>Show older entries</button>}
    </section>
  );
}

/** `{role: "viewer", id: 3}` → `role viewer, id 3`: readable, and nested values still legible. */
function detailsText(details: Record<string, unknown> | null): string {
  if (!details) return '';
  return Object.entries(details).map(([key, value]) => `${key} ${typeof value === 'string' ? value : JSON.stringify(value)}`).join(', ');
}
