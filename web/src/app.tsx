// The shell: sign-in when signed out, else the navigation and the page the path names.
import { useEffect } from 'preact/hooks';
import { whenSignedOut } from './api.js';
import { LoginPage } from './pages/login.js';
import { match, navigate, usePath } from './router.js';
import { ROUTES } from './routes.js';
import { loadSession, me, signOut } from './session.js';
import { useSignal } from './signal.js';

whenSignedOut(() => (me.value = null));

export function App() {
  const who = useSignal(me);
  const path = usePath();
  useEffect(() => void loadSession(), []);
  if (who === undefined) return <p class="loading" role="status">Loading…</p>;
  if (who === null) return <LoginPage />;
  const found = ROUTES.map((route) => ({ route, params: match(route.path, path) })).find((r) => r.params !== null);
  const Page = found?.route.component;
  document.title = `${found?.route.nav ?? 'mailbind'} · mailbind`;
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href="/">mailbind</a>
        <nav aria-label="Main">
          <ul>
            {ROUTES.filter((r) => r.nav && (!r.adminOnly || who.role === 'admin')).map((r) => (
              <li key={r.path}>
                <a href={r.path} aria-current={r.path === path || (r.path !== '/' && path.startsWith(r.path)) ? 'page' : undefined}>{r.nav}</a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>{who.name} ({who.role})</span>
          <button type="button" class="link" onClick={() => void signOut().then(() => navigate('/'))}>Sign out</button>
        </div>
      </header>
      <main id="main">
        {Page && found ? (
          found.route.adminOnly && who.role !== 'admin' ? <p role="alert">Only an admin may open this page.</p> : <Page params={found.params ?? {}} />
        ) : (
          <section>
            <h1>Not found</h1>
            <p>There is no page at {path}. <a href="/">Go to the dashboard</a>.</p>
          </section>
        )}
      </main>
    </div>
  );
}
