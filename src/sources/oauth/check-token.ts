// Check Connection's `token` step for an OAuth2 mailbox: is it signed in, does the refresh work, and did
// the provider grant the mail scope? A forced refresh is the only proof that the refresh token still
// works (a stored access token says nothing about it); its rotated tokens are stored like any refresh.
// The step's words say what to do; none of them carries a token.
import { signInStatus } from '../../store/oauth-tokens.js';
import type { Profile } from '../../store/profiles.js';
import type { TokenOutcome } from '../check.js';
import type { ResolvedSettings, SourceSettings } from '../settings.js';
import { accessTokenFor, NO_REFRESH_TOKEN, NOT_SIGNED_IN, type TokenContext } from './access-tokens.js';
import { oauthAppOf, scopesOf } from './app.js';
import { mailScopes } from './presets.js';

export const UNSAVED_NOT_SIGNED_IN = 'not signed in: save the profile, then sign in from its page (or `mailbind profile signin NAME`)';
export const MOVED_NOT_SIGNED_IN =
  'not signed in for these settings: the provider, app or mailbox changed, and the sign-in was only for the old ones — save, then sign in again';

/** The step for settings that have no sign-in (not saved yet, or moved to another app or mailbox). */
export function notSignedIn(message: string): () => Promise<TokenOutcome> {
  return async () => ({ ok: false, message, settings: null });
}

/**
 * The step for a saved profile with `stored` settings (its own, or with changes that keep the sign-in's
 * destination) and `settings` resolved from them: refresh now, check the scopes, and hand the
 * connection steps the new token.
 */
export async function checkSignedIn(ctx: TokenContext, profile: Profile, stored: SourceSettings, settings: ResolvedSettings): Promise<TokenOutcome> {
  const app = oauthAppOf(stored, ctx.secrets);
  if (!app) return { ok: false, message: 'the OAuth2 provider and client ID should be set', settings: null };
  const before = await signInStatus(ctx.db, profile.id);
  if (!before) return { ok: false, message: NOT_SIGNED_IN, settings: null };
  // Without a refresh token the access token works until it expires, and then the mailbox stops:
  // said here without spending the access token's last minutes or marking the sign-in stopped.
  if (!before.hasRefreshToken) return { ok: false, message: NO_REFRESH_TOKEN, settings: null };
  let token;
  try {
    token = await accessTokenFor(ctx, profile.id, app, { force: true });
  } catch (error) {
    return { ok: false, message: (error as Error).message, settings: null };
  }
  const withToken: ResolvedSettings = { ...settings, login: settings.login || token.account, accessToken: token.token };
  const after = await signInStatus(ctx.db, profile.id);
  const granted = token.scope ?? '';
  const missing = missingScopes(mailScopes(scopesOf(stored)), token.scope);
  if (missing.length) {
    const what = settings.protocol === 'pop3' ? 'POP3' : 'IMAP';
    return {
      ok: false,
      message: `the app is missing the ${what} scope ${missing.join(' ')} (granted: ${granted || 'nothing'}) — add it to the app's permissions at the provider (docs/oauth.md), then sign in again`,
      // The connection steps still run: the server's own answer helps to tell what is missing.
      settings: withToken,
    };
  }
  const until = after ? `, valid until ${after.accessExpiresAt}` : '';
  const scopes = token.scope === null ? 'the provider did not say which scopes it granted' : `granted: ${granted}`;
  return { ok: true, message: `signed in as ${token.account}; the refresh works (a new access token${until}); ${scopes}`, settings: withToken };
}

/**
 * The mail scopes asked for that the grant lacks; none when the provider did not list what it granted
 * (RFC 6749 §5.1: it may leave the scope out when it is the one asked for). Compared without case:
 * providers echo scope URLs in their own spelling.
 */
export function missingScopes(wanted: readonly string[], granted: string | null): string[] {
  if (granted === null) return [];
  const have = new Set(granted.split(/\s+/).filter(Boolean).map((s) => s.toLowerCase()));
  return wanted.filter((s) => !have.has(s.toLowerCase()));
}
