// The sign-in asked for when the session ends mid-page: a modal dialog over the page, which stays
// mounted with whatever was typed in it. Signing in sends the request that failed again; Escape or
// "Not now" closes the dialog and that request reports that the session has ended.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Expiry } from '../session.js';
import { useSignIn } from './use-sign-in.js';

export function SessionDialog({ expiry }: { expiry: Expiry }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState(expiry.name);
  const [password, setPassword] = useState('');
  const { error, busy, submit } = useSignIn(() => expiry.settle(true));
  useEffect(() => {
    // showModal makes the rest of the page inert and puts the focus inside (on the password field).
    dialog.current?.showModal();
    return () => dialog.current?.close();
  }, []);
  const onSubmit = (event: Event) => {
    event.preventDefault();
    void submit(name, password);
  };
  return (
    <dialog ref={dialog} class="session-dialog" aria-labelledby="session-title" aria-describedby="session-why" onCancel={() => expiry.settle(false)}>
      <form onSubmit={onSubmit}>
        <h2 id="session-title">Sign in again</h2>
        <p id="session-why">Your session ended. Sign in again to continue; what you typed is kept.</p>
        <label for="session-name">Name</label>
        <input id="session-name" autocomplete="username" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="session-password">Password</label>
        <input id="session-password" type="password" autocomplete="current-password" required autofocus value={password}
          onInput={(e) => setPassword(e.currentTarget.value)} aria-describedby={error ? 'session-error' : undefined} />
        {error && <p id="session-error" class="error" role="alert">{error}</p>}
        <div class="dialog-buttons">
          <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
          <button type="button" class="secondary" onClick={() => expiry.settle(false)}>Not now</button>
        </div>
      </form>
    </dialog>
  );
}
