// Rules history: every saved version with who, when and why; the diff between any two; restore (saved
// as a new version, so a restore can itself be undone).
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api.js';
import { when } from './health.js';
import type { Profile } from './types.js';
import { useApi } from './use-api.js';

interface Version {
  version: number;
  author: string;
  comment: string | null;
  createdAt: string;
  current: boolean;
  lines: number;
}

export function RulesHistory({ profileId, currentVersion, canRestore, onRestored }: { profileId: number; currentVersion: number | null | undefined; canRestore: boolean; onRestored: (p: Profile, notes: string[]) => void }) {
  const { data, error } = useApi<{ versions: Version[] }>(`/profiles/${profileId}/rules/versions`, [currentVersion]);
  const [restoreError, setRestoreError] = useState<{ version: number; message: string } | null>(null);
  const [restoring, setRestoring] = useState<number | null>(null);
  const versions = data?.versions ?? [];

  const restore = async (version: number) => {
    setRestoring(version);
    setRestoreError(null);
    try {
      const saved = await api<{ profile: Profile; notes: string[] }>(`/profiles/${profileId}/rules/versions/${version}/restore`, { body: {} });
      onRestored(saved.profile, saved.notes);
    } catch (e) {
      setRestoreError({ version, message: errorText(e) });
    } finally {
      setRestoring(null);
    }
  };

  return (
    <section class="rules-history" aria-labelledby="rules-history-title">
      <h2 id="rules-history-title">Rules history</h2>
      {error && <p class="error" role="alert">The history could not be loaded: {error}</p>}
      {data && versions.length === 0 && <p class="empty">No saved versions yet: save the rules to start their history.</p>}
      {versions.length > 0 && (
        <table>
          <caption class="visually-hidden">Saved versions of the rules, newest first</caption>
          <thead><tr><th scope="col">Version</th><th scope="col">Saved by</th><th scope="col">When</th><th scope="col">Comment</th><th scope="col">Lines</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version}>
                <td>{v.version}{v.current && <span class="badge good">current</span>}</td>
                <td>{v.author}</td>
                <td>{when(v.createdAt)}</td>
                <td>{v.comment ?? '—'}</td>
                <td>{v.lines}</td>
                <td>
                  {canRestore && !v.current && (
                    <button type="button" class="secondary" disabled={restoring !== null} onClick={() => void restore(v.version)}>
                      {restoring === v.version ? 'Restoring…' : `Restore version ${v.version}`}
                    </button>
                  )}
                  {restoreError?.version === v.version && <p class="error" role="alert">{restoreError.message}</p>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {versions.length > 1 && <RulesDiff profileId={profileId} versions={versions} />}
    </section>
  );
}

interface Diff {
  unified: string;
  hunks: Array<{ fromLine: number; fromLines: number; toLine: number; toLines: number; lines: string[] }>;
}

function RulesDiff({ profileId, versions }: { profileId: number; versions: Version[] }) {
  // Newest first: by default the latest change, the one before the newest against the newest.
  const [from, setFrom] = useState(versions[1]!.version);
  const [to, setTo] = useState(versions[0]!.version);
  const [diff, setDiff] = useState<Diff | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setFrom(versions[1]!.version);
    setTo(versions[0]!.version);
    setDiff(null);
  }, [versions[0]!.version]);

  const show = async () => {
    setError(null);
    try {
      setDiff(await api<Diff>(`/profiles/${profileId}/rules/diff?from=${from}&to=${to}`));
    } catch (e) {
      setDiff(null);
      setError(errorText(e));
    }
  };
  const pick = (id: string, label: string, value: number, set: (n: number) => void) => (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={String(value)} onChange={(e) => { set(Number(e.currentTarget.value)); setDiff(null); }}>
        {versions.map((v) => <option key={v.version} value={String(v.version)}>version {v.version}{v.comment ? ` — ${v.comment}` : ''}</option>)}
      </select>
    </div>
  );
  return (
    <div class="rules-diff">
      <h3>Compare two versions</h3>
      <div class="rules-row">
        {pick('diff-from', 'From version', from, setFrom)}
        {pick('diff-to', 'To version', to, setTo)}
        <button type="button" onClick={() => void show()}>Show diff</button>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {diff && (diff.hunks.length === 0
        ? <p role="status">Versions {from} and {to} have the same rules.</p>
        : (
          <pre class="diff" aria-label={`Changes from version ${from} to version ${to}`}>
            {diff.hunks.map((h) => [
              <span class="hunk">{`@@ version ${from} line ${h.fromLine}, version ${to} line ${h.toLine} @@\n`}</span>,
              ...h.lines.map((l) => <span class={l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : ''}>{`${l}\n`}</span>),
            ])}
          </pre>
        ))}
    </div>
  );
}
