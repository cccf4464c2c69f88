// An OAuth2 mailbox's sign-in on its profile page: who it is signed in as and how fresh its token is, or
// that nobody is, or that refreshing fails (still working for now) or has stopped (only a new sign-in
// helps), each with what to do. "Sign in" asks the service for the provider's page and goes there; the
// provider sends the browser back to /oauth/callback, which lands on this page again.
import { useState } from 'preact/hooks';
import { api, errorText } from '../api.js';
import { when } from './health.js';
import type { OAuthProvider, SignIn } from './types.js';

const WITH: Record<OAuthProvider, string> = { google: 'Google', microsoft: 'Microsoft', custom: 'the provider' };

/** "3 minutes ago" for the last day, the date and time before that (and for anything in the future). */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  // A minute ahead is the server's clock a little ahead of this one: "now", not a date.
  const elapsed = Math.round((now - Date.parse(iso)) / 1000);
  const seconds = elapsed < 0 && elapsed > -60 ? 0 : elapsed;
  if (!(seconds >= 0 && seconds < 86_400)) return when(iso);
  const say = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  if (seconds < 60) return say.format(-seconds, 'second');
  if (seconds < 3600) return say.format(-Math.floor(seconds / 60), 'minute');
  return say.format(-Math.floor(seconds / 3600), 'hour');
}

export function SignInPanel({ profileId, provider, signIn, canSignIn, unsaved }: {
  profileId: number;
  provider: OAuthProvider;
  /** null: never signed in (or signed out when the provider, app or mailbox changed). */
  signIn: SignIn | null;
  canSignIn: boolean;
  /** The form changes how this mailbox signs in and is not saved: a sign-in now would use the old settings. */
  unsaved: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const { url } = await api<{ url: string }>(`/profiles/${profileId}/sign-in`, { method: 'POST' });
      // The whole window goes: the provider's page sends it back here, and a pop-up would be blocked.
      location.assign(url);
    } catch (e) {
      setError(`Could not start the sign-in: ${errorText(e)}`);
      setBusy(false);
    }
  };

  const label = signIn ? 'Sign in again' : `Sign in with ${WITH[provider]}`;
  return (
    <section class={`sign-in-panel ${signIn?.state ?? 'none'}`} aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign-in</h2>
      <SignInState signIn={signIn} provider={provider} />
      {canSignIn && (
        <div class="actions-row">
          <button type="button" class={signIn?.state === 'ok' ? 'secondary' : undefined} disabled={busy || unsaved} onClick={() => void start()}
            aria-describedby={unsaved ? 'sign-in-unsaved' : undefined}>{busy ? 'Opening the provider…' : label}</button>
          {unsaved && <p class="hint" id="sign-in-unsaved">Save first: a sign-in uses the saved provider and app.</p>}
        </div>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </section>
  );
}

function SignInState({ signIn, provider }: { signIn: SignIn | null; provider: OAuthProvider }) {
  if (!signIn) {
    return <p><span class="badge neutral">Not signed in</span> mailbind cannot read this mailbox until someone signs in to it at {WITH[provider]}.</p>;
  }
  const fresh = signIn.refreshedAt ? `token refreshed ${ago(signIn.refreshedAt)}` : `signed in ${ago(signIn.signedInAt)}`;
  if (signIn.state === 'stopped') {
    return (
      <>
        <p><span class="badge bad">Sign-in stopped</span> mailbind can no longer read this mailbox as {signIn.account}: {signIn.lastError ?? 'the provider refused the token'}.</p>
        <p>Sign in again to read it again.</p>
      </>
    );
  }
  return (
    <>
      <p>
        {signIn.state === 'failing' && <><span class="badge bad">Refresh failing</span> </>}
        Signed in as <strong>{signIn.account}</strong> · {fresh}
      </p>
      {signIn.state === 'failing' && (
        <p class="warnings">
          Refreshing the token fails since {when(signIn.failingSince)}: {signIn.lastError ?? 'no reason given'}. mailbind keeps trying; the current token
          works until {when(signIn.accessExpiresAt)}. If it goes on, sign in again.
        </p>
      )}
      {signIn.state === 'ok' && !signIn.hasRefreshToken && (
        <p class="warnings">
          The provider gave no refresh token, so this sign-in stops working at {when(signIn.accessExpiresAt)}. Let the app ask for offline access
          (docs/oauth.md), then sign in again.
        </p>
      )}
    </>
  );
}
