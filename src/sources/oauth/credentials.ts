// The settings a source connects with, credentials included: the password, or for an OAuth2 mailbox a
// fresh access token (and the account it signed in as, when the profile names no login) — only tokens
// signed in for this profile's settings (access-tokens.ts). A login the server refuses with a token gets
// one forced refresh and one more try; refused again, the sign-in is marked stopped, so status, metrics
// and alerts say "sign in again" instead of a poll error repeating. Only a refused token counts
// (refused-token.ts): a server that wants TLS first, or whose own backend is down, is not the sign-in's fault.
import type { Profile } from '../../store/profiles.js';
import { recordSignInFailure } from '../../store/oauth-tokens.js';
import { runtimeSettings } from '../profile-settings.js';
import { validateSettings, type ResolvedSettings } from '../settings.js';
import { accessTokenFor, type AccessToken, type TokenContext, type TokenRequest } from './access-tokens.js';
import { OAuthError } from './client.js';
import { oauthAppOf } from './app.js';
import { isRefusedCredential } from './refused-token.js';

export interface Credentialed {
  settings: ResolvedSettings;
  /** The token logged in with, for an OAuth2 mailbox. */
  token: AccessToken | null;
}

/** Null for a profile without a mailbox. Throws OAuthError when an OAuth2 mailbox has no usable token. */
export async function credentialedSettings(ctx: TokenContext, profile: Profile, request: TokenRequest = {}): Promise<Credentialed | null> {
  const settings = runtimeSettings(profile, ctx.secrets);
  if (!settings || !profile.source) return null;
  const app = oauthAppOf(validateSettings(profile.source), ctx.secrets);
  if (!app) return { settings, token: null };
  const token = await accessTokenFor(ctx, profile.id, app, request);
  return { settings: { ...settings, login: settings.login || token.account, accessToken: token.token }, token };
}

/**
 * Run `work` with the profile's credentials; for an OAuth2 mailbox whose login is refused, refresh once
 * and run again. `first` reuses credentials the caller already has (the scheduler starts its watcher with them).
 */
export async function withCredentials<T>(
  ctx: TokenContext,
  profile: Profile,
  work: (settings: ResolvedSettings) => Promise<T>,
  first?: Credentialed,
): Promise<T> {
  const initial = first ?? (await credentialedSettings(ctx, profile));
  if (!initial) throw new Error(`profile '${profile.name}' has no mailbox`);
  try {
    return await work(initial.settings);
  } catch (error) {
    if (!initial.token || !isRefusedCredential(error)) throw error;
  }
  const again = (await credentialedSettings(ctx, profile, { force: true, newerThan: initial.token.version }))!;
  try {
    return await work(again.settings);
  } catch (error) {
    if (!again.token || !isRefusedCredential(error)) throw error;
    const message = `the mail server refused the access token even after a refresh (${(error as Error).message}) — sign in again`;
    // Only while the refused token is the stored one: a sign-in (or refresh) since then is not stopped by
    // it, and the refusal is then just this poll's failure.
    if (!(await recordSignInFailure(ctx.db, profile.id, { error: message, stopped: true, code: 'refused', version: again.token.version }))) throw error;
    // Said as the sign-in's failure, which is what a person must act on, with the server's refusal in it.
    throw new OAuthError(message, true, 'refused', { cause: error });
  }
}
