// A fresh access token for an OAuth2 mailbox, refreshed ahead of expiry by one refresher at a time.
// Several workers (and a Check Connection) may want a token for one profile at once: the one that takes
// the lease in oauth_tokens calls the provider, the others wait for its write (the row's version moves)
// and use what it stored. A refresh token the provider rotated is spent the moment it answers, so a
// second refresher would sign the profile out; the lease and the version check are what prevent it.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../store/database.js';
import {
  destinationHash,
  openTokens,
  recordSignInFailure,
  releaseRefreshLease,
  storeRefreshed,
  takeRefreshLease,
  type OpenTokens,
} from '../../store/oauth-tokens.js';
import type { SecretBox } from '../../store/secrets.js';
import { configurationFor, isAppRefusal, OAuthError, refreshTokens, type OAuthApp, type ProviderConfiguration } from './client.js';

export interface TokenContext {
  db: Db;
  secrets: SecretBox;
  /** How long a refresher's lease lasts: REFRESH_LEASE_MS, unless a test shortens it. */
  refreshLeaseMs?: number;
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

/** The most a token is refreshed ahead of its expiry (see refreshAheadMs). */
export const REFRESH_AHEAD_MAX_MS = 10 * 60_000;
/** Ahead by this much when a token's lifetime is unknown. */
const REFRESH_AHEAD_UNKNOWN_MS = 60_000;
/** How long the refresher's lease lasts: its token request ends within three quarters of it (below). */
export const REFRESH_LEASE_MS = 60_000;
/**
 * The share of the lease the token request may use, counted from before the lease was taken: the rest
 * covers the write after it and clocks that differ between this host and the database's.
 */
const REQUEST_SHARE_OF_LEASE = 0.75;
/** With less than this left of its share, the token request is not sent at all. */
const MIN_REQUEST_MS = 1_000;
const WAIT_STEP_MS = 200;
/** A token with less than this left is not handed out even when refreshing failed: a login would outlast it. */
const LAST_USE_MS = 5_000;
const LEASE_LOST = 'lease_lost';

export const NOT_SIGNED_IN = 'not signed in: sign in from the profile page (or `mailbind profile signin NAME`)';
export const NO_REFRESH_TOKEN =
  'no refresh token was issued — the provider did not grant offline access (see docs/oauth.md); sign in again';
/** Tokens stored for other settings than the profile's (an older copy of it, or a sign-in before 017). */
export const NOT_FOR_THESE_SETTINGS =
  "not signed in for these settings: the stored sign-in was made for another provider, app or mailbox than the profile's — sign in again";

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

/** What one worker does, without this process's sharing: the database lease stands between it and other workers. */
async function obtainAccessToken(ctx: TokenContext, profileId: number, app: OAuthApp, request: TokenRequest = {}): Promise<AccessToken> {
  const owner = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const leaseMs = ctx.refreshLeaseMs ?? REFRESH_LEASE_MS;
  const deadline = Date.now() + leaseMs + 10_000;
  for (;;) {
    const tokens = await openTokens(ctx.db, ctx.secrets, profileId);
    if (!tokens) throw new OAuthError(NOT_SIGNED_IN, true, 'not_signed_in');
    checkDestination(tokens, app);
    // Signed out for good (revoked, refused even after a refresh): neither the provider nor the mail
    // server is asked again at every poll, even while the access token has time left; a forced request
    // (Check Connection) still tries once, and a new sign-in starts afresh. A stop recorded after the
    // version a forced request knows (another worker's refresh was refused) is final for it too.
    const stoppedSince = request.newerThan !== undefined && tokens.version > request.newerThan;
    if (tokens.state === 'stopped' && (!request.force || stoppedSince)) throw new OAuthError(stoppedMessage(tokens), true, 'stopped');
    if (usable(tokens, request)) return asAccessToken(tokens);
    if (!tokens.refreshToken) {
      if (!request.force && Date.parse(tokens.accessExpiresAt) > Date.now()) return asAccessToken(tokens);
      const error = new OAuthError(NO_REFRESH_TOKEN, true, 'no_refresh_token');
      await recordSignInFailure(ctx.db, profileId, { error: error.message, stopped: true, code: error.code, version: tokens.version });
      throw error;
    }
    // The provider's configuration (discovery, up to its timeout) before the lease: the lease's time is
    // for the token request alone, which must end while the lease is surely still ours.
    let config: ProviderConfiguration;
    try {
      config = await configurationFor(app);
    } catch (error) {
      const failure = asOAuthError(error);
      await recordSignInFailure(ctx.db, profileId, { error: failure.message, stopped: failure.stopped, code: failure.code, version: tokens.version });
      return fallBack(failure, request, tokens);
    }
    const lease = await takeLease(ctx, profileId, owner, leaseMs);
    if (lease) return refreshOrFallBack(ctx, profileId, app, config, { owner, requestEnds: lease.requestEnds }, request, tokens);
    // Another worker is refreshing: wait for its write (or for its lease to run out, should it die).
    const seen = tokens.version;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
      const now = await openTokens(ctx.db, ctx.secrets, profileId);
      if (!now || now.version !== seen) break;
      const taken = await takeLease(ctx, profileId, owner, leaseMs);
      if (taken) return refreshOrFallBack(ctx, profileId, app, config, { owner, requestEnds: taken.requestEnds }, request, now);
    }
    if (Date.now() >= deadline) throw new OAuthError('another worker has been refreshing the access token for too long; trying again at the next poll', false, 'busy');
    // Its refresh landed (or failed): a forced request is satisfied by a token refreshed since.
    request = request.force ? { force: true, newerThan: seen } : request;
  }
}

/** The lease, and until when its holder may wait for the provider (local clock, read before taking it). */
async function takeLease(ctx: TokenContext, profileId: number, owner: string, leaseMs: number): Promise<{ requestEnds: number } | null> {
  const before = Date.now();
  if (!(await takeRefreshLease(ctx.db, profileId, owner, leaseMs))) return null;
  return { requestEnds: before + leaseMs * REQUEST_SHARE_OF_LEASE };
}

/**
 * Tokens are only used with the settings they were signed in for: a worker holding an older copy of a
 * profile whose mailbox or app has changed (and been signed in again) must not send them to the old place.
 */
function checkDestination(tokens: OpenTokens, app: OAuthApp): void {
  if (tokens.destinationHash !== destinationHash(app.destination)) throw new OAuthError(NOT_FOR_THESE_SETTINGS, true, 'moved');
}

/**
 * Refresh under the lease. When a refresh that may work later fails (the provider is down) while the
 * stored access token has not run out, an ordinary request still gets that token: the mailbox keeps
 * working and the sign-in shows as failing, not as a failed poll.
 */
async function refreshOrFallBack(
  ctx: TokenContext, profileId: number, app: OAuthApp, config: ProviderConfiguration, lease: { owner: string; requestEnds: number },
  request: TokenRequest, seen: OpenTokens,
): Promise<AccessToken> {
  try {
    return await refreshUnderLease(ctx, profileId, app, config, lease, request);
  } catch (error) {
    return fallBack(error, request, seen);
  }
}

/** The stored token instead of `error`, for an ordinary request while it still works; else `error` thrown. */
function fallBack(error: unknown, request: TokenRequest, seen: OpenTokens): AccessToken {
  const stillValid = Date.parse(seen.accessExpiresAt) - Date.now() > LAST_USE_MS;
  if (request.force || !(error instanceof OAuthError) || error.stopped || !stillValid) throw error;
  return asAccessToken(seen);
}

async function refreshUnderLease(
  ctx: TokenContext, profileId: number, app: OAuthApp, config: ProviderConfiguration, lease: { owner: string; requestEnds: number },
  request: TokenRequest,
): Promise<AccessToken> {
  const { owner } = lease;
  try {
    // Read again under the lease: a refresh that landed between the first read and the lease is enough,
    // and a new sign-in meanwhile may be for other settings.
    const tokens = await openTokens(ctx.db, ctx.secrets, profileId);
    if (!tokens) throw new OAuthError(NOT_SIGNED_IN, true, 'not_signed_in');
    if (usable(tokens, request) || tokens.destinationHash !== destinationHash(app.destination)) {
      await releaseRefreshLease(ctx.db, profileId, owner);
      checkDestination(tokens, app); // throws for tokens of another destination
      return asAccessToken(tokens);
    }
    if (!tokens.refreshToken) throw new OAuthError(NO_REFRESH_TOKEN, true, 'no_refresh_token');
    // Nothing is sent to the provider that could still be under way when the lease may have ended: a
    // second refresher would then present a refresh token this request has spent.
    const leftMs = lease.requestEnds - Date.now();
    if (leftMs < MIN_REQUEST_MS) {
      await releaseRefreshLease(ctx.db, profileId, owner);
      throw new OAuthError('the refresh lease ran short before the provider was asked (the database was slow); trying again at the next poll', false, LEASE_LOST);
    }
    const fresh = await refreshTokens(config, tokens.refreshToken, leftMs / 1000);
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
    const failure = asOAuthError(error);
    // A lost lease is someone else's refresh now: its outcome, not ours, is what the row should say. The
    // write is ours only while we hold the lease (a new sign-in clears it), and releases it.
    if (failure.code !== LEASE_LOST && failure.code !== 'moved') {
      await recordSignInFailure(ctx.db, profileId, { error: failure.message, stopped: failure.stopped, code: failure.code, owner });
    }
    throw failure;
  }
}

function asOAuthError(error: unknown): OAuthError {
  return error instanceof OAuthError ? error : new OAuthError((error as Error).message, false);
}

/**
 * Why a stopped sign-in does not work, ending in what to do. A stop the app caused (the provider refused
 * the client ID or secret) says to fix those, not to sign in again: a new client secret keeps the sign-in.
 */
function stoppedMessage(tokens: Pick<OpenTokens, 'lastError' | 'lastErrorCode'>): string {
  const { lastError, lastErrorCode } = tokens;
  if (!lastError) return 'the sign-in stopped working — sign in again';
  if (isAppRefusal(lastErrorCode)) return lastError;
  return /sign in again/.test(lastError) ? lastError : `${lastError} — sign in again`;
}

function usable(tokens: OpenTokens, request: TokenRequest): boolean {
  // Forced: only a refresh that landed after the token the caller had (a failure moves the version too).
  if (request.force) return request.newerThan !== undefined && tokens.version > request.newerThan && tokens.state === 'ok';
  return Date.parse(tokens.accessExpiresAt) - Date.now() > refreshAheadMs(tokens);
}

/**
 * How long before expiry a token is refreshed: a quarter of its lifetime, at most REFRESH_AHEAD_MAX_MS.
 * A one-hour token is renewed with 10 minutes left, so a provider that is down shows (status, metrics,
 * the sign-in.failing alert) while the access token still works for minutes, not seconds; any token
 * living over 4 minutes gets at least a minute. A token of a few minutes (or seconds) is still used
 * for three quarters of its life instead of being refreshed at every use.
 */
export function refreshAheadMs(tokens: Pick<OpenTokens, 'accessExpiresAt' | 'issuedAt'>): number {
  const lifetime = Date.parse(tokens.accessExpiresAt) - Date.parse(tokens.issuedAt);
  return Number.isFinite(lifetime) && lifetime > 0 ? Math.min(REFRESH_AHEAD_MAX_MS, lifetime / 4) : REFRESH_AHEAD_UNKNOWN_MS;
}

function asAccessToken(tokens: OpenTokens): AccessToken {
  return { token: tokens.accessToken, version: tokens.version, account: tokens.account, scope: tokens.scope };
}
