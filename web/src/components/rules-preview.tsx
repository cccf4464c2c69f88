// Preview: the edited, unsaved rules over the profile's last N messages (up to 1,000), listing those
// whose outcome or actions would change. The service is asked a window of 100 messages at a time, so
// the page shows how far it got ("300 of 1,000 examined") and can stop between windows. Each window
// starts below the oldest message of the previous one (`before`), so mail arriving meanwhile shifts
// nothing: no message is examined twice and none skipped.
import { useMemo, useRef, useState } from 'preact/hooks';
import { parseRules } from '../../../src/rules/index.js';
import { api, ApiError, errorText } from '../api.js';
import { described, Field } from './field.js';
import { when } from './health.js';

interface Decision {
  outcome: string | null;
  rule?: number | null;
  actions: string[];
}

interface Change {
  itemId: number;
  subject: string | null;
  from: string | null;
  receivedAt: string;
  before: Decision;
  after: Decision;
}

interface Window {
  examined: number;
  lastId: number | null;
  unreadable: number;
  changed: Change[];
}

const WINDOW = 100;
const MOST = 1000;

interface Progress {
  wanted: number;
  examined: number;
  unreadable: number;
  changed: Change[];
  done: boolean;
  stopped: boolean;
}

export function RulesPreview({ profileId, rules }: { profileId: number; rules: string }) {
  // Checked here as in the editor: the service would refuse them anyway.
  const rulesHaveErrors = useMemo(() => parseRules(rules).errors.length > 0, [rules]);
  const [count, setCount] = useState('100');
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [countError, setCountError] = useState<string | undefined>(undefined);
  const stop = useRef(false);
  const running = progress !== null && !progress.done;

  const start = async () => {
    const wanted = Number(count);
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > MOST) {
      setCountError(`Give a whole number from 1 to ${MOST.toLocaleString('en')}`);
      return;
    }
    setCountError(undefined);
    setError(null);
    stop.current = false;
    // The rules as they are now: typing on during the preview does not mix two rule sets.
    const text = rules;
    let state: Progress = { wanted, examined: 0, unreadable: 0, changed: [], done: false, stopped: false };
    setProgress(state);
    try {
      let before: number | null = null;
      while (state.examined < wanted && !stop.current) {
        const last = Math.min(WINDOW, wanted - state.examined);
        const window: Window = await api<Window>('/rules/preview', { body: { profileId, rules: text, last, ...(before !== null ? { before } : {}) } });
        state = { ...state, examined: state.examined + window.examined, unreadable: state.unreadable + window.unreadable, changed: [...state.changed, ...window.changed] };
        setProgress(state);
        // A short window: there are no older messages.
        if (window.examined < last || window.lastId === null) break;
        before = window.lastId;
      }
      setProgress({ ...state, done: true, stopped: stop.current });
    } catch (e) {
      setProgress({ ...state, done: true, stopped: true });
      setError(e instanceof ApiError && e.lines.length ? 'The rules have errors: fix them in the editor above first.' : errorText(e));
    }
  };

  return (
    <section class="rules-preview" aria-labelledby="rules-preview-title">
      <h2 id="rules-preview-title">Preview before saving</h2>
      <p class="hint">Runs the rules in the editor over the newest stored messages and lists those whose outcome would change compared with the saved rules. Nothing is written.</p>
      <div class="rules-row">
        <Field id="preview-count" label="Messages to look at (newest first, up to 1,000)" error={countError}>
          <input id="preview-count" inputMode="numeric" value={count} onInput={(e) => setCount(e.currentTarget.value)} {...described('preview-count', countError)} />
        </Field>
        {running
          ? <button type="button" class="secondary" onClick={() => (stop.current = true)}>Stop</button>
          : <button type="button" disabled={rulesHaveErrors} onClick={() => void start()}>Preview changes</button>}
      </div>
      {rulesHaveErrors && <p class="hint">Fix the errors in the rules to preview them.</p>}
      {error && <p class="error" role="alert">{error}</p>}
      {progress && (
        <div class="preview-progress">
          <progress id="preview-progress" max={progress.wanted} value={progress.examined} aria-label="Messages examined" />
          <p role="status">
            {progress.examined.toLocaleString('en')} of {progress.wanted.toLocaleString('en')} examined
            {progress.done && (progress.stopped ? ' (stopped)' : ' — done')}
            {progress.unreadable > 0 && `; ${progress.unreadable} could not be read`}
          </p>
        </div>
      )}
      {progress?.done && <PreviewChanges progress={progress} />}
    </section>
  );
}

function PreviewChanges({ progress }: { progress: Progress }) {
  if (progress.examined === 0) return <p class="empty">This profile has no stored messages yet: once mail arrives, preview shows what new rules would change.</p>;
  if (progress.changed.length === 0) return <p class="empty">No message would change: the edited rules decide these {progress.examined.toLocaleString('en')} messages as the saved rules do.</p>;
  const words = (d: Decision) => `${d.outcome ?? 'not processed'}${d.rule ? ` by line ${d.rule}` : ''}${d.actions.length ? `: ${d.actions.join(', ')}` : ''}`;
  return (
    <table class="preview-changes">
      <caption>{progress.changed.length} of {progress.examined.toLocaleString('en')} messages would change</caption>
      <thead><tr><th scope="col">Message</th><th scope="col">With the saved rules</th><th scope="col">With the edited rules</th></tr></thead>
      <tbody>
        {progress.changed.map((c) => (
          <tr key={c.itemId}>
            <td><strong>{c.subject ?? '(no subject)'}</strong><br /><span class="hint">{c.from ?? 'unknown sender'} · {when(c.receivedAt)}</span></td>
            <td>{words(c.before)}</td>
            <td>{words(c.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
