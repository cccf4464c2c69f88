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
/** A token with less than this left is not handed out even when refreshing failed: a login would outlast it. */
const LAST_USE_MS = 5_000;
const LEASE_LOST = 'lease_lost';

export const NOT_SIGNED_IN = 'not signed in: sign in from the profile page (or `mailbind profile signin NAME`)';
export const NO_REFRESH_TOKEN =
  'no refresh token was issued — the provider did not grant offline access (see docs/oauth.md); sign in again';

/** Obtaining in this process, one per profile: concurrent callers share it (the database lease is across processes). */
const inFlight = new Map<number, Promise<AccessToken>>();

export async function accessTokenFor(ctx: TokenContext, profileId: number, app: OAuthApp, request: TokenRequest = {}): Promise<AccessToken> {
  const running = inFlight.get(profileId);
  // A forced request (the server refused a token) is not answered by an ordinary one under way, which
  // may hand back that very token: it waits for it, then asks for itself (a newer token satisfies it).
  if (running && !request.force) return running;
  const work = (running ? running.catch(() => undefined) : Promise.resolve())
    .then(() => obtainAccessToken(ctx, profileId, app, request))
    .finally(() => inFlight.get(profileId) === work && inFlight.delete(profileId));
  inFlight.set(profileId, work);
  return work;
}

/**
 * The work of accessTokenFor without this process's sharing: what one worker does, the database lease
 * being the only thing between it and another worker (exported for the test that proves it).
 */
export async function obtainAccessToken(ctx: TokenContext, profileId: number, app: OAuthApp, request: TokenRequest = {}): Promise<AccessToken> {
  const owner = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const deadline = Date.now() + REFRESH_LEASE_MS + 10_000;
  for (;;) {
    const tokens = await openTokens(ctx.db, ctx.secrets, profileId);
    if (!tokens) throw new OAuthError(NOT_SIGNED_IN, true, 'not_signed_in');
    // Signed out for good (revoked, refused even after a refresh): neither the provider nor the mail
    // server is asked again at every poll, even while the access token has time left; a forced request
    // (Check Connection) still tries once, and a new sign-in starts afresh. A stop recorded after the
    // version a forced request knows (another worker's refresh was refused) is final for it too.
    const stoppedSince = request.newerThan !== undefined && tokens.version > request.newerThan;
    if (tokens.state === 'stopped' && (!request.force || stoppedSince)) throw new OAuthError(stoppedMessage(tokens.lastError), true, 'stopped');
    if (usable(tokens, request)) return asAccessToken(tokens);
    if (!tokens.refreshToken) {
      if (!request.force && Date.parse(tokens.accessExpiresAt) > Date.now()) return asAccessToken(tokens);
      const error = new OAuthError(NO_REFRESH_TOKEN, true, 'no_refresh_token');
      await recordSignInFailure(ctx.db, profileId, { error: error.message, stopped: true });
      throw error;
    }
    if (await takeRefreshLease(ctx.db, profileId, owner, REFRESH_LEASE_MS)) return refreshOrFallBack(ctx, profileId, app, owner, request, tokens);
    // Another worker is refreshing: wait for its write (or for its lease to run out, should it die).
    const seen = tokens.version;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
      const now = await openTokens(ctx.db, ctx.secrets, profileId);
      if (!now || now.version !== seen) break;
      if (await takeRefreshLease(ctx.db, profileId, owner, REFRESH_LEASE_MS)) return refreshOrFallBack(ctx, profileId, app, owner, request, now);
    }
    if (Date.now() >= deadline) throw new OAuthError('another worker has been refreshing the access token for too long; trying again at the next poll', false, 'busy');
    // Its refresh landed (or failed): a forced request is satisfied by a token refreshed since.
    request = request.force ? { force: true, newerThan: seen } : request;
  }
}

/**
 * Refresh under the lease. When a refresh that may work later fails (the provider is down) while the
 * stored access token has not run out, an ordinary request still gets that token: the mailbox keeps
 * working and the sign-in shows as failing, not as a failed poll.
 */
async function refreshOrFallBack(
  ctx: TokenContext, profileId: number, app: OAuthApp, owner: string, request: TokenRequest, seen: OpenTokens,
): Promise<AccessToken> {
  try {
    return await refreshUnderLease(ctx, profileId, app, owner, request);
  } catch (error) {
    const stillValid = Date.parse(seen.accessExpiresAt) - Date.now() > LAST_USE_MS;
    if (request.force || !(error instanceof OAuthError) || error.stopped || !stillValid) throw error;
    return asAccessToken(seen);
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
    if (!stored) throw new OAuthError('the refresh lease ran out before the new tokens were stored; sign in again if the next poll fails', false, LEASE_LOST);
    return { token: fresh.accessToken, version: tokens.version + 1, account: tokens.account, scope: fresh.scope ?? tokens.scope };
  } catch (error) {
    const failure = error instanceof OAuthError ? error : new OAuthError((error as Error).message, false);
    // A lost lease is someone else's refresh now: its outcome, not ours, is what the row should say.
    if (failure.code !== LEASE_LOST) await recordSignInFailure(ctx.db, profileId, { error: failure.message, stopped: failure.stopped, owner });
    throw failure;
  }
}

function stoppedMessage(lastError: string | null): string {
  if (!lastError) return 'the sign-in stopped working — sign in again';
  return /sign in again/.test(lastError) ? lastError : `${lastError} — sign in again`;
}

function usable(tokens: OpenTokens, request: TokenRequest): boolean {
  // Forced: only a refresh that landed after the token the caller had (a failure moves the version too).
  if (request.force) return request.newerThan !== undefined && tokens.version > request.newerThan && tokens.state === 'ok';
  return Date.parse(tokens.accessExpiresAt) - Date.now() > refreshAheadMs(tokens);
}

/**
 * How long before expiry a token is refreshed: REFRESH_AHEAD_MS, or a quarter of its lifetime when that
 * is shorter, so that a token living a few minutes (or seconds) is still used for most of its life
 * instead of being refreshed at every use.
 */
export function refreshAheadMs(tokens: Pick<OpenTokens, 'accessExpiresAt' | 'issuedAt'>): number {
  const lifetime = Date.parse(tokens.accessExpiresAt) - Date.parse(tokens.issuedAt);
  return Number.isFinite(lifetime) && lifetime > 0 ? Math.min(REFRESH_AHEAD_MS, lifetime / 4) : REFRESH_AHEAD_MS;
}

function asAccessToken(tokens: OpenTokens): AccessToken {
  return { token: tokens.accessToken, version: tokens.version, account: tokens.account, scope: tokens.scope };
}
