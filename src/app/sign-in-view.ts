// An OAuth2 mailbox's sign-in (profile-view.ts shows it, never a token) in one sentence a person can
// act on, for status, the CLI and alerts alike.
import { isAppRefusal } from '../sources/oauth/client.js';
import { isPolled } from '../sources/profile-settings.js';
import type { Profile } from '../store/profiles.js';
import type { SignInView } from './profile-view.js';

/** True for a polled mailbox that logs in with tokens from a sign-in rather than a password. */
export function signsIn(profile: Profile): boolean {
  return isPolled(profile) && profile.source?.auth === 'oauth2';
}

/**
 * The sign-in in words: "signed in as …", "refresh failing since … (the access token still works
 * until …): …", "stopped: … — sign in again", or "not signed in: …". Null for a password mailbox.
 */
export function signInSummary(profile: Profile, signIn: SignInView | null, now = Date.now(), lastErrorCode: string | null = null): string | null {
  if (!signsIn(profile)) return null;
  if (!signIn) return `not signed in: sign in from the profile page or with \`mailbind profile signin ${profile.name}\``;
  const expired = Date.parse(signIn.accessExpiresAt) <= now;
  switch (signIn.state) {
    case 'ok': {
      const signedIn = signIn.refreshedAt
        ? `signed in as ${signIn.account}, token refreshed ${signIn.refreshedAt}`
        : `signed in as ${signIn.account} since ${signIn.signedInAt}`;
      if (signIn.hasRefreshToken) return signedIn;
      // The provider gave no offline access: nothing can renew the access token once it runs out.
      return `${signedIn}; no refresh token was issued, so the sign-in ${expired ? 'ended when the' : 'ends when the'} ` +
        `access token ${expired ? 'expired' : 'expires'} at ${signIn.accessExpiresAt} (see docs/oauth.md)`;
    }
    case 'failing': {
      const until = expired
        ? `the access token expired at ${signIn.accessExpiresAt}; polls fail until a refresh works`
        : `the access token still works until ${signIn.accessExpiresAt}`;
      return `refresh failing since ${signIn.failingSince ?? 'recently'} (${until})${signIn.lastError ? `: ${signIn.lastError}` : ''}`;
    }
    case 'stopped':
      return `stopped: ${stoppedReason(signIn.lastError, lastErrorCode)}`;
  }
}

/**
 * The reason a sign-in stopped, ending in what to do (most reasons already say "sign in again"). The
 * provider's refusal of the app says to fix the client ID or secret, which keeps the sign-in: no "sign in again".
 */
export function stoppedReason(lastError: string | null, lastErrorCode: string | null = null): string {
  if (!lastError) return 'the sign-in no longer works — sign in again';
  if (isAppRefusal(lastErrorCode)) return lastError;
  return /sign in again/i.test(lastError) ? lastError : `${lastError} — sign in again`;
}
