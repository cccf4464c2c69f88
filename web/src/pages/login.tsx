import { useState } from 'preact/hooks';
import { useSignIn } from '../components/use-sign-in.js';

export function LoginPage() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const { error, busy, submit } = useSignIn();
  const onSubmit = (event: Event) => {
    event.preventDefault();
    void submit(name, password);
  };
  return (
    <main id="main" class="login">
      <form onSubmit={onSubmit} aria-labelledby="login-title" class="card">
        <h1 id="login-title">Sign in to mailbind</h1>
        <label for="login-name">Name</label>
        <input id="login-name" name="name" autocomplete="username" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="login-password">Password</label>
        <input id="login-password" name="password" type="password" autocomplete="current-password" required value={password}
          onInput={(e) => setPassword(e.currentTarget.value)} aria-describedby={error ? 'login-error' : undefined} />
        {error && <p id="login-error" class="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
