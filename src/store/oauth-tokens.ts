// A profile's OAuth2 tokens, sealed at rest like passwords, and the lease that makes one worker at a time
// the refresher. A refresh rotates the refresh token at some providers: the old one is dead the moment the
// provider answers, so the new pair is written in one UPDATE, and only by the lease holder (two workers
// refreshing at once would each consume the other's token and sign the profile out). A failure is written
// only while nothing newer happened (see recordSignInFailure), and the tokens carry a hash of the settings
// they were signed in for, so they are never used for others.
import { createHash } from 'node:crypto';
import type { Db } from './database.js';
import { now, sql } from './database.js';
import { dbNow } from './db-clock.js';
import type { OAuthTokenTable } from './schema.js';
import type { SecretBox } from './secrets.js';

export type SignInState = OAuthTokenTable['state'];

/** The tokens as a refresher uses them: decrypted, in memory only. */
export interface OpenTokens {
  account: string;
  accessToken: string;
  /** ISO-8601. */
  accessExpiresAt: string;
  /** When the access token was issued (the last refresh, else the sign-in), for its lifetime. */
  issuedAt: string;
  refreshToken: string | null;
  scope: string | null;
  version: number;
  state: SignInState;
  lastError: string | null;
  /** The provider's (or our) code for lastError: invalid_grant, invalid_client, refused, … */
  lastErrorCode: string | null;
  /** destinationHash() of the settings signed in for; null for a sign-in from before it was recorded. */
  destinationHash: string | null;
}

/** What anyone may see about a sign-in: never a token. */
export interface SignInStatus {
  profileId: number;
  account: string;
  state: SignInState;
  signedInAt: string;
  refreshedAt: string | null;
  accessExpiresAt: string;
  hasRefreshToken: boolean;
  scope: string | null;
  lastError: string | null;
  /** The code of lastError (invalid_grant, invalid_client, refused, …), for what to advise. */
  lastErrorCode: string | null;
  failingSince: string | null;
  refreshFailures: number;
}

export interface NewTokens {
  accessToken: string;
  accessExpiresAt: string;
  /** Undefined keeps the stored refresh token (a provider that does not rotate sends none back). */
  refreshToken?: string | null;
  scope?: string | null;
}

/**
 * A failed refresh or login, and what guards its write: `owner`, the refresher's lease (the refresh it
 * made is only its own while it holds it), or `version`, the row version of the token that was refused.
 * Either way a newer sign-in or refresh is never overwritten by an older failure.
 */
export type SignInFailure = { error: string; stopped: boolean; code?: string | null } & ({ owner: string } | { version: number });

/**
 * What the tokens are bound to: SHA-256 of the sign-in's destination (profile-settings.ts
 * signInDestination), so the row says where its tokens may go without repeating the settings.
 */
export function destinationHash(destination: string): string {
  return createHash('sha256').update(destination, 'utf8').digest('hex');
}

/** A sign-in that works: no failure on record, and no refresher holding it (what a sign-in and a refresh both leave). */
const WORKING = {
  state: 'ok' as const,
  last_error: null,
  last_error_code: null,
  failing_since: null,
  refresh_failures: 0,
  lease_owner: null,
  lease_until: null,
};

/**
 * A completed sign-in replaces whatever the profile had: new account, new tokens, no failures. `destination`
 * is signInDestination() of the settings it signed in with; only those settings may use the tokens.
 */
export async function saveSignIn(
  db: Db,
  secrets: SecretBox,
  profileId: number,
  signIn: NewTokens & { account: string; subject: string | null; destination: string },
): Promise<void> {
  const at = now();
  const values = {
    account: signIn.account,
    subject: signIn.subject,
    access_token: secrets.encrypt(signIn.accessToken),
    access_expires_at: signIn.accessExpiresAt,
    refresh_token: signIn.refreshToken ? secrets.encrypt(signIn.refreshToken) : null,
    scope: signIn.scope ?? null,
    signed_in_at: at,
    refreshed_at: null,
    ...WORKING,
    destination_hash: destinationHash(signIn.destination),
  };
  await db
    .insertInto('oauth_tokens')
    .values({ profile_id: profileId, ...values })
    .onConflict((oc) => oc.column('profile_id').doUpdateSet((eb) => ({ ...values, version: eb('oauth_tokens.version', '+', 1) })))
    .execute();
}

export async function openTokens(db: Db, secrets: SecretBox, profileId: number): Promise<OpenTokens | null> {
  const row = await db.selectFrom('oauth_tokens').selectAll().where('profile_id', '=', profileId).executeTakeFirst();
  if (!row) return null;
  return {
    account: row.account,
    accessToken: secrets.decrypt(row.access_token),
    accessExpiresAt: row.access_expires_at,
    issuedAt: row.refreshed_at ?? row.signed_in_at,
    refreshToken: row.refresh_token ? secrets.decrypt(row.refresh_token) : null,
    scope: row.scope,
    version: Number(row.version),
    state: row.state,
    lastError: row.last_error,
    lastErrorCode: row.last_error_code,
    destinationHash: row.destination_hash,
  };
}

export async function signInStatus(db: Db, profileId: number): Promise<SignInStatus | null> {
  const rows = await signInStatuses(db, [profileId]);
  return rows[0] ?? null;
}

/** Every profile's sign-in (or those named), for status, metrics and alerts. */
export async function signInStatuses(db: Db, profileIds?: number[]): Promise<SignInStatus[]> {
  if (profileIds && !profileIds.length) return [];
  let query = db
    .selectFrom('oauth_tokens')
    .select(['profile_id', 'account', 'state', 'signed_in_at', 'refreshed_at', 'access_expires_at', 'refresh_token', 'scope',
      'last_error', 'last_error_code', 'failing_since', 'refresh_failures'])
    .orderBy('profile_id');
  if (profileIds) query = query.where('profile_id', 'in', profileIds);
  const rows = await query.execute();
  return rows.map((row) => ({
    profileId: Number(row.profile_id),
    account: row.account,
    state: row.state,
    signedInAt: row.signed_in_at,
    refreshedAt: row.refreshed_at,
    accessExpiresAt: row.access_expires_at,
    hasRefreshToken: row.refresh_token !== null,
    scope: row.scope,
    lastError: row.last_error,
    lastErrorCode: row.last_error_code,
    failingSince: row.failing_since,
    refreshFailures: Number(row.refresh_failures),
  }));
}

/**
 * Become the profile's refresher until `leaseMs` from now (database clock): true when the lease was free,
 * expired or already ours. Whoever holds it is the only one to call the token endpoint.
 */
export async function takeRefreshLease(db: Db, profileId: number, owner: string, leaseMs: number): Promise<boolean> {
  const result = await db
    .updateTable('oauth_tokens')
    .set({ lease_owner: owner, lease_until: dbNow(db, leaseMs) })
    .where('profile_id', '=', profileId)
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', owner), eb('lease_until', '<', dbNow(db))]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function releaseRefreshLease(db: Db, profileId: number, owner: string): Promise<void> {
  await db
    .updateTable('oauth_tokens')
    .set({ lease_owner: null, lease_until: null })
    .where('profile_id', '=', profileId)
    .where('lease_owner', '=', owner)
    .execute();
}

/**
 * The refreshed tokens, written in one statement with the lease released; false (nothing written) when
 * the lease is no longer ours (it ran out while the provider was slow, and someone else refreshed).
 */
export async function storeRefreshed(db: Db, secrets: SecretBox, profileId: number, owner: string, tokens: NewTokens): Promise<boolean> {
  const result = await db
    .updateTable('oauth_tokens')
    .set((eb) => ({
      access_token: secrets.encrypt(tokens.accessToken),
      access_expires_at: tokens.accessExpiresAt,
      ...(tokens.refreshToken !== undefined ? { refresh_token: tokens.refreshToken ? secrets.encrypt(tokens.refreshToken) : null } : {}),
      ...(tokens.scope !== undefined && tokens.scope !== null ? { scope: tokens.scope } : {}),
      refreshed_at: now(),
      ...WORKING,
      version: eb('version', '+', 1),
    }))
    .where('profile_id', '=', profileId)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * A refresh (or a login with the token) failed. `stopped`: it cannot work again without a new sign-in
 * (revoked, expired, refused) or new app credentials; else it is `failing` and retried. Written only under
 * the failure's guard (SignInFailure): a refresh that failed after its lease ran out, or a refusal of a token
 * that has since been replaced, must not mark a newer sign-in stopped. With `owner` the same statement
 * releases the lease, so a lease that ran out and was taken by another refresher is never cleared (which
 * would let a third one refresh beside it). False when the guard kept it from being written.
 */
export async function recordSignInFailure(db: Db, profileId: number, failure: SignInFailure): Promise<boolean> {
  const at = now();
  const code = failure.code ?? null;
  let update = db
    .updateTable('oauth_tokens')
    .set((eb) => ({
      // A retryable failure never lifts a stop (nor hides why it stopped): only a new sign-in, a refresh
      // that works, or new app credentials for a stop the app caused (liftStop) do.
      state: failure.stopped ? 'stopped' as const : sql<SignInState>`case when state = 'stopped' then 'stopped' else 'failing' end`,
      last_error: failure.stopped ? failure.error : sql<string>`case when state = 'stopped' then last_error else ${failure.error} end`,
      last_error_code: failure.stopped ? code : sql<string | null>`case when state = 'stopped' then last_error_code else ${code} end`,
      failing_since: eb.fn.coalesce('failing_since', eb.val(at)),
      refresh_failures: eb('refresh_failures', '+', 1),
      version: eb('version', '+', 1),
      ...('owner' in failure ? { lease_owner: null, lease_until: null } : {}),
    }))
    .where('profile_id', '=', profileId);
  update = 'owner' in failure ? update.where('lease_owner', '=', failure.owner) : update.where('version', '=', failure.version);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * A stop recorded with one of `codes` becomes `failing`, so the next poll refreshes again: what caused it
 * was fixed elsewhere (the app's client secret). The error stays until a refresh works. False when the
 * sign-in was not stopped for one of them.
 */
export async function liftStop(db: Db, profileId: number, codes: readonly string[]): Promise<boolean> {
  if (!codes.length) return false;
  const result = await db
    .updateTable('oauth_tokens')
    .set((eb) => ({ state: 'failing' as const, version: eb('version', '+', 1) }))
    .where('profile_id', '=', profileId)
    .where('state', '=', 'stopped')
    .where('last_error_code', 'in', [...codes])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Forget the profile's tokens: signed out (the mailbox or the app it signed in to changed). */
export async function signOut(db: Db, profileId: number): Promise<boolean> {
  const result = await db.deleteFrom('oauth_tokens').where('profile_id', '=', profileId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
