// Set a new password for one account, in its row: the policy's refusal at the field; saying so
// that a new password signs the account out everywhere.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../../api.js';
import { described, Field } from '../../components/field.js';

export function PasswordForm({ name, onDone }: { name: string; onDone: (message: string | null) => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const id = `password-${name}`;

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api(`/accounts/${encodeURIComponent(name)}`, { method: 'PATCH', body: { password } });
      onDone(`New password set for ${name}; their sessions have ended.`);
    } catch (e) {
      setError(e instanceof ApiError ? (e.forField('password') ?? e.message) : errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="inline-form" onSubmit={save}>
      <Field id={id} label={`New password for ${name}`} error={error}>
        <input id={id} ref={input} type="password" required autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} {...described(id, error)} />
      </Field>
      <button type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save password'}</button>{' '}
      <button type="button" class="secondary" onClick={() => onDone(null)}>Cancel</button>
    </form>
  );
}
