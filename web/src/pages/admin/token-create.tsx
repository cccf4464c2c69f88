// Create an API token: name and role. The token itself is in this one answer only, so it is shown
// once, with a copy button and a plain warning; afterwards the list knows only its prefix.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../../api.js';
import type { ApiToken, Role } from '../../components/admin-types.js';
import { described, Field } from '../../components/field.js';

export function CreateTokenForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ token: string; view: ApiToken } | null>(null);

  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setCreated(await api<{ token: string; view: ApiToken }>('/tokens', { body: { name, role } }));
      setName('');
      onCreated();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, errorText(e)));
    } finally {
      setBusy(false);
    }
  };
  const nameError = error?.forField('name') ?? (error?.status === 409 ? error.message : undefined);
  const roleError = error?.forField('role');
  const other = error && !nameError && !roleError ? error.message : undefined;
  return (
    <>
      {created && <NewToken token={created.token} name={created.view.name} onDone={() => setCreated(null)} />}
      <form class="admin-form" onSubmit={create} aria-labelledby="create-token">
        <h2 id="create-token">Create a token</h2>
        <Field id="token-name" label="Token name" error={nameError} hint="what uses it, e.g. ci or backup-script">
          <input id="token-name" required autocomplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} {...described('token-name', nameError, true)} />
        </Field>
        <Field id="token-role" label="Role" error={roleError}>
          <select id="token-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)} {...described('token-role', roleError)}>
            <option value="viewer">viewer (reads only)</option>
            <option value="admin">admin (changes anything)</option>
          </select>
        </Field>
        {other && <p class="error" role="alert">{other}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create token'}</button>
      </form>
    </>
  );
}

function NewToken({ token, name, onDone }: { token: string; name: string; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const field = useRef<HTMLInputElement>(null);
  // Focus and select it: the next thing to do is copy it, by the button or by Ctrl+C.
  useEffect(() => {
    field.current?.focus();
    field.current?.select();
  }, [token]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token);
      setCopied('Copied to the clipboard.');
    } catch {
      field.current?.select();
      setCopied('The browser did not allow copying: the token is selected, press Ctrl+C (⌘C).');
    }
  };
  return (
    <div class="new-token" role="region" aria-labelledby="new-token-title">
      <h2 id="new-token-title">Token {name} created</h2>
      <p><strong>Copy it now: you will not see it again.</strong> mailbind keeps only a hash of it.</p>
      <Field id="new-token" label="New token">
        <input id="new-token" ref={field} readOnly value={token} spellcheck={false} class="mono" />
      </Field>
      <button type="button" onClick={() => void copy()}>Copy</button>{' '}
      <button type="button" class="secondary" onClick={onDone}>Done, I saved it</button>
      {copied && <p role="status">{copied}</p>}
    </div>
  );
}
