// A button for one change to one thing (remove an account, revoke a token): it can ask first, shows
// that it is working, and shows the API's refusal in words right next to itself (e.g. "the last admin").
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../api.js';

export function ActionButton({ label, confirm, onAction }: { label: string; confirm?: string; onAction: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const yes = useRef<HTMLButtonElement>(null);
  // Keyboard users land on the question's answer, not back at the top of the page.
  useEffect(() => void (asking && yes.current?.focus()), [asking]);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await onAction();
      setAsking(false);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <span class="action">
      {asking ? (
        <span class="confirm">
          <span>{confirm}</span>{' '}
          <button type="button" ref={yes} class="danger" disabled={busy} onClick={() => void run()}>{busy ? 'Working…' : `Yes, ${label.toLowerCase()}`}</button>{' '}
          <button type="button" class="secondary" onClick={() => setAsking(false)}>Cancel</button>
        </span>
      ) : (
        <button type="button" class="secondary" disabled={busy} onClick={() => (confirm ? setAsking(true) : void run())}>{busy ? 'Working…' : label}</button>
      )}
      {error && <span class="error" role="alert">{error}</span>}
    </span>
  );
}
