// The shell: sign-in when nobody is signed in, else the navigation and the page the path names; a
// session that ends mid-page asks for the password in a dialog over the page, which stays as it is.
import { useEffect, useRef } from 'preact/hooks';
import { whenSignedOut } from './api.js';
import { SessionDialog } from './components/session-dialog.js';
import { usePageHeading } from './page-heading.js';
import { LoginPage } from './pages/login.js';
import { match, navigate, usePath } from './router.js';
import { ROUTES } from './routes.js';
import { expired, loadSession, me, sessionEnded, sessionError, signOut } from './session.js';
import { useSignal } from './signal.js';

whenSignedOut(sessionEnded);

export function App() {
  const who = useSignal(me);
  const problem = useSignal(sessionError);
  useEffect(() => void loadSession(), []);
  if (problem) return <SessionProblem message={problem} />;
  if (who === undefined) return <p class="loading" role="status">Loading…</p>;
  if (who === null) {
    document.title = 'Sign in · mailbind';
    return <LoginPage />;
  }
  return <Shell />;
}

/** GET /session failed for another reason than "signed out": say so, and offer to ask again. */
function SessionProblem({ message }: { message: string }) {
  useEffect(() => void (document.title = 'Cannot reach mailbind'), []);
  return (
    <main id="main" class="login">
      <section class="card" aria-labelledby="problem-title">
        <h1 id="problem-title">mailbind cannot be reached</h1>
        <p class="error" role="alert">Could not check whether you are signed in: {message}</p>
        <button type="button" onClick={() => void loadSession()}>Try again</button>
      </section>
    </main>
  );
}

function Shell() {
  const who = useSignal(me)!;
  const expiry = useSignal(expired);
  const path = usePath();
  const main = useRef<HTMLElement>(null);
  const announced = usePageHeading(path, main);
  const found = ROUTES.map((route) => ({ route, params: match(route.path, path) })).find((r) => r.params !== null);
  const Page = found?.route.component;
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
      <p class="visually-hidden" aria-live="polite" aria-atomic="true">{announced}</p>
      <main id="main" ref={main}>
        {Page && found ? (
          found.route.adminOnly && who.role !== 'admin' ? <><h1>Admins only</h1><p role="alert">Only an admin may open this page.</p></> : <Page params={found.params ?? {}} />
        ) : (
          <section>
            <h1>Not found</h1>
            <p>There is no page at {path}. <a href="/">Go to the dashboard</a>.</p>
          </section>
        )}
      </main>
      {expiry && <SessionDialog expiry={expiry} />}
    </div>
  );
}
