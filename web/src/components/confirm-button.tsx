// A button for something that cannot be undone in one click: it asks first, in the page (not a
// browser dialog), with the consequence in words; Yes runs the action and shows its progress.
import { useEffect, useRef, useState } from 'preact/hooks';

export function ConfirmButton({ label, question, busyLabel, onConfirm }: { label: string; question: string; busyLabel: string; onConfirm: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => void (asking && yes.current?.focus()), [asking]);
  if (busy) return <button type="button" disabled aria-live="polite">{busyLabel}</button>;
  if (!asking) return <button type="button" class="secondary" onClick={() => setAsking(true)}>{label}</button>;
  return (
    <span class="confirm" role="group" aria-label={label}>
      <span>{question}</span>{' '}
      <button ref={yes} type="button" onClick={() => { setAsking(false); setBusy(true); void onConfirm().finally(() => setBusy(false)); }}>Yes, {label.toLowerCase()}</button>{' '}
      <button type="button" class="secondary" onClick={() => setAsking(false)}>Cancel</button>
    </span>
  );
}
