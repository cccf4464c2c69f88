// The settings a source connects with, credentials included: the password, or for an OAuth2 mailbox a
// fresh access token (and the account it signed in as, when the profile names no login). A login the
// server refuses with a token gets one forced refresh and one more try; refused again, the sign-in is
// marked stopped, so status, metrics and alerts say "sign in again" instead of a poll error repeating.
import type { Profile } from '../../store/profiles.js';
import { recordSignInFailure } from '../../store/oauth-tokens.js';
import { runtimeSettings } from '../profile-settings.js';
import { validateSettings, type ResolvedSettings } from '../settings.js';
import { accessTokenFor, type AccessToken, type TokenContext, type TokenRequest } from './access-tokens.js';
import { OAuthError } from './client.js';
import { oauthAppOf } from './app.js';

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

/** A failure at the login step, where a stale or refused token shows. */
export function isAuthFailure(error: unknown): boolean {
  return (error as { step?: string } | null)?.step === 'auth';
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
    if (!initial.token || !isAuthFailure(error)) throw error;
  }
  const again = await credentialedSettings(ctx, profile, { force: true, newerThan: initial.token.version });
  try {
    return await work(again!.settings);
  } catch (error) {
    if (!isAuthFailure(error)) throw error;
    const message = `the mail server refused the access token even after a refresh (${(error as Error).message}) — sign in again`;
    await recordSignInFailure(ctx.db, profile.id, { error: message, stopped: true });
    // Said as the sign-in's failure, which is what a person must act on, with the server's refusal in it.
    throw new OAuthError(message, true, 'refused', { cause: error });
  }
}
