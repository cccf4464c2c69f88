// Add an account: name, role and first password, each refusal shown at its field (the password
// policy at the password, a taken name at the name).
import { useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../../api.js';
import type { Role } from '../../components/admin-types.js';
import { described, Field } from '../../components/field.js';

export function AddAccountForm({ onAdded }: { onAdded: (name: string) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/accounts', { body: { name, role, password } });
      setName('');
      setPassword('');
      onAdded(name.trim());
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, errorText(e)));
    } finally {
      setBusy(false);
    }
  };
  // A conflict is about the name: it is taken.
  const nameError = error?.forField('name') ?? (error?.status === 409 ? error.message : undefined);
  const passwordError = error?.forField('password');
  const roleError = error?.forField('role');
  const other = error && !nameError && !passwordError && !roleError ? error.message : undefined;
  return (
    <form class="admin-form" onSubmit={add} aria-labelledby="add-account">
      <h2 id="add-account">Add an account</h2>
      <Field id="account-name" label="Account name" error={nameError}>
        <input id="account-name" required autocomplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} {...described('account-name', nameError)} />
      </Field>
      <Field id="account-role" label="Role" error={roleError} hint="an admin changes everything; a viewer only reads">
        <select id="account-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)} {...described('account-role', roleError, true)}>
          <option value="viewer">viewer</option>
          <option value="admin">admin</option>
        </select>
      </Field>
      <Field id="account-password" label="Password" error={passwordError}>
        <input id="account-password" type="password" required autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} {...described('account-password', passwordError)} />
      </Field>
      {other && <p class="error" role="alert">{other}</p>}
      <button type="submit" disabled={busy}>{busy ? 'Adding…' : 'Add account'}</button>
    </form>
  );
}
