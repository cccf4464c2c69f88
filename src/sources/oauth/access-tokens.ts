// A fresh access token for an OAuth2 mailbox, refreshed ahead of expiry by one refresher at a time.
// Several workers (and a Check Connection) may want a token for one profile at once: the one that takes
// the lease in oauth_tokens calls the provider, the others wait for its write (the row's version moves)
// and use what it stored. A refresh token the provider rotated is spent the moment it answers, so a
// second refresher would sign the profile out; the lease and the version check are what prevent it.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../store/database.js';
import {
  openTokens,
  recordSignInFailure,
  releaseRefreshLease,
  storeRefreshed,
  takeRefreshLease,
  type OpenTokens,
} from '../../store/oauth-tokens.js';
import type { SecretBox } from '../../store/secrets.js';
import { OAuthError, refreshTokens, type OAuthApp } from './client.js';

export interface TokenContext {
  db: Db;
  secrets: SecretBox;
}

export interface AccessToken {
  token: string;
  /** The row version it came from: a login that fails with it asks for a refresh past this version. */
  version: number;
  account: string;
  scope: string | null;
}

export interface TokenRequest {
  /** Refresh even though the stored token looks fresh: the mail server refused it, or a check wants proof. */
  force?: boolean;
  /** With force: a token newer than this version (someone refreshed meanwhile) is good enough. */
  newerThan?: number;
}

/** Refreshed when less than this is left, so a token never runs out in the middle of a login. */
export const REFRESH_AHEAD_MS = 60_000;
/** How long the refresher's lease lasts: the provider's 30 s timeout and the writes fit well inside. */
export const REFRESH_LEASE_MS = 60_000;
const WAIT_STEP_MS = 200;

export const NOT_SIGNED_IN = 'not signed in: sign in from the profile page (or `mailbind profile signin NAME`)';
export const NO_REFRESH_TOKEN =
  'no refresh token was issued — the provider did not grant offline access (see docs/oauth.md); sign in again';

/** Refreshes in flight in this process, one per profile: concurrent callers share it. */
const inFlight = new Map<number, Promise<AccessToken>>();

export async function accessTokenFor(ctx: TokenContext, profileId: number, app: OAuthApp, request: TokenRequest = {}): Promise<AccessToken> {
  const running = inFlight.get(profileId);
  if (running) return running;
  const work = obtain(ctx, profileId, app, request).finally(() => inFlight.delete(profileId));
  inFlight.set(profileId, work);
  return work;
}

async function obtain(ctx: TokenContext, profileId: number, app: OAuthApp, request: TokenRequest): Promise<AccessToken> {
  const owner = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const deadline = Date.now() + REFRESH_LEASE_MS + 10_000;
  for (;;) {
    const tokens = await openTokens(ctx.db, ctx.secrets, profileId);
    if (!tokens) throw new OAuthError(NOT_SIGNED_IN, true, 'not_signed_in');
    if (usable(tokens, request)) return asAccessToken(tokens);
    // Signed out for good (revoked, refused): asking the provider at every poll would not bring it back;
    // a forced request (Check Connection, a changed client secret) still tries once.
    if (tokens.state === 'stopped' && !request.force) throw new OAuthError(stoppedMessage(tokens.lastError), true, 'stopped');
    if (!tokens.refreshToken) {
      if (!request.force && Date.parse(tokens.accessExpiresAt) > Date.now()) return asAccessToken(tokens);
      const error = new OAuthError(NO_REFRESH_TOKEN, true, 'no_refresh_token');
      await recordSignInFailure(ctx.db, profileId, { error: error.message, stopped: true });
      throw error;
    }
    if (await takeRefreshLease(ctx.db, profileId, owner, REFRESH_LEASE_MS)) return refreshUnderLease(ctx, profileId, app, owner, request);
    // Another worker is refreshing: wait for its write (or for its lease to run out, should it die).
    const seen = tokens.version;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
      const now = await openTokens(ctx.db, ctx.secrets, profileId);
      if (!now || now.version !== seen) break;
      if (await takeRefreshLease(ctx.db, profileId, owner, REFRESH_LEASE_MS)) return refreshUnderLease(ctx, profileId, app, owner, request);
    }
    if (Date.now() >= deadline) throw new OAuthError('another worker has been refreshing the access token for too long; trying again at the next poll', false, 'busy');
    // Its refresh landed: a forced request is satisfied by any newer token.
    request = request.force ? { force: true, newerThan: seen } : request;
  }
}

async function refreshUnderLease(ctx: TokenContext, profileId: number, app: OAuthApp, owner: string, request: TokenRequest): Promise<AccessToken> {
  try {
    // Read again under the lease: a refresh that landed between the first read and the lease is enough.
    const tokens = await openTokens(ctx.db, ctx.secrets, profileId);
    if (!tokens) throw new OAuthError(NOT_SIGNED_IN, true, 'not_signed_in');
    if (usable(tokens, request)) {
      await releaseRefreshLease(ctx.db, profileId, owner);
      return asAccessToken(tokens);
    }
    if (!tokens.refreshToken) throw new OAuthError(NO_REFRESH_TOKEN, true, 'no_refresh_token');
    const fresh = await refreshTokens(app, tokens.refreshToken);
    // A rotated refresh token replaces the old one in the same write; a provider that sends none keeps it.
    const stored = await storeRefreshed(ctx.db, ctx.secrets, profileId, owner, {
      accessToken: fresh.accessToken,
      accessExpiresAt: fresh.accessExpiresAt,
      ...(fresh.refreshToken ? { refreshToken: fresh.refreshToken } : {}),
      ...(fresh.scope ? { scope: fresh.scope } : {}),
    });
    if (!stored) throw new OAuthError('the refresh lease ran out before the new tokens were stored; sign in again if the next poll fails', false, 'lease_lost');
    return { token: fresh.accessToken, version: tokens.version + 1, account: tokens.account, scope: fresh.scope ?? tokens.scope };
  } catch (error) {
    const failure = error instanceof OAuthError ? error : new OAuthError((error as Error).message, false);
    await recordSignInFailure(ctx.db, profileId, { error: failure.message, stopped: failure.stopped, owner });
    throw failure;
  }
}

function stoppedMessage(lastError: string | null): string {
  if (!lastError) return 'the sign-in stopped working — sign in again';
  return /sign in again/.test(lastError) ? lastError : `${lastError} — sign in again`;
}

function usable(tokens: OpenTokens, request: TokenRequest): boolean {
  if (request.force) return request.newerThan !== undefined && tokens.version > request.newerThan;
  return Date.parse(tokens.accessExpiresAt) - Date.now() > REFRESH_AHEAD_MS;
}

function asAccessToken(tokens: OpenTokens): AccessToken {
  return { token: tokens.accessToken, version: tokens.version, account: tokens.account, scope: tokens.scope };
}
