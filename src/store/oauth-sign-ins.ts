// OAuth2 sign-ins under way: what an authorization request must be checked against when its callback
// comes back (the PKCE verifier, sealed; the nonce; the redirect URI), and, once it did, how it ended.
// The state travels only in URLs; the row is keyed by its SHA-256, so a copy of the database cannot
// complete anyone's sign-in. Rows live in the database, not in a process: the callback may reach
// another worker than the one that started it, and the CLI watches its row while the service completes it.
import { createHash } from 'node:crypto';
import type { Db } from './database.js';
import { dbNow } from './db-clock.js';
import type { OAuthSignInTable } from './schema.js';
import type { SecretBox } from './secrets.js';

/** How long the person has to sign in at the provider and come back. */
export const SIGN_IN_TTL_MS = 10 * 60_000;
/** Finished and expired rows are kept this long after their expiry, so a CLI still waiting can read how it ended. */
const KEEP_AFTER_EXPIRY_MS = 10 * 60_000;

export type SignInVia = OAuthSignInTable['via'];

export interface NewSignIn {
  /** The state parameter as sent to the provider (only its hash is stored). */
  state: string;
  profileId: number;
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
  via: SignInVia;
  /** SHA-256 of the browser's binding secret, for a web-started sign-in; null for one bound by the state alone. */
  browserHash: string | null;
  /** Who started it, as the audit log names them. */
  startedBy: string;
}

/** A sign-in as its callback needs it: the verifier unsealed, in memory only. */
export interface PendingSignIn {
  id: string;
  profileId: number;
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
  via: SignInVia;
  browserHash: string | null;
  startedBy: string;
  expiresAt: string;
}

/** What anyone may see of a sign-in: never the verifier. */
export interface SignInRecord {
  id: string;
  profileId: number;
  via: SignInVia;
  startedBy: string;
  createdAt: string;
  expiresAt: string;
  /** When its callback came; the account or the error follow once the exchange is done. */
  completedAt: string | null;
  account: string | null;
  error: string | null;
  /** By the database's clock, at the moment of reading. */
  expired: boolean;
  /** Only the browser that started it may complete it (a web-started sign-in). */
  boundToBrowser: boolean;
}

/** The row id of the sign-in with this state: the SHA-256 of the state, in hex. */
export function signInId(state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('hex');
}

/** Records a sign-in (10 minutes to come back) and returns its id; expired rows are purged on the way. */
export async function createSignIn(db: Db, secrets: SecretBox, signIn: NewSignIn): Promise<string> {
  await purgeExpiredSignIns(db);
  const id = signInId(signIn.state);
  await db
    .insertInto('oauth_sign_ins')
    .values({
      state_hash: id,
      profile_id: signIn.profileId,
      code_verifier: secrets.encrypt(signIn.codeVerifier),
      nonce: signIn.nonce,
      redirect_uri: signIn.redirectUri,
      via: signIn.via,
      session_hash: signIn.browserHash,
      started_by: signIn.startedBy,
      created_at: dbNow(db),
      expires_at: dbNow(db, SIGN_IN_TTL_MS),
    })
    .execute();
  return id;
}

export async function findSignIn(db: Db, id: string): Promise<SignInRecord | null> {
  const row = await db
    .selectFrom('oauth_sign_ins')
    .select(['state_hash', 'profile_id', 'via', 'started_by', 'created_at', 'expires_at', 'completed_at', 'account', 'error', 'session_hash'])
    .select((eb) => eb(eb.ref('expires_at'), '<=', dbNow(db)).as('expired'))
    .where('state_hash', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.state_hash,
    profileId: Number(row.profile_id),
    via: row.via,
    startedBy: row.started_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    completedAt: row.completed_at,
    account: row.account,
    error: row.error,
    // SQLite answers 0/1, PostgreSQL a boolean.
    expired: Boolean(row.expired),
    boundToBrowser: row.session_hash !== null,
  };
}

/**
 * Takes the sign-in for its callback, once: the row is marked completed in the same statement that
 * reads it, so a replayed callback (or two workers handed the same one) finds nothing. A sign-in bound
 * to a browser is only taken with that browser's hash, and is left for it otherwise. Null when the
 * state is unknown, already used, expired or another browser's; `findSignIn` says which.
 */
export async function takeSignIn(db: Db, secrets: SecretBox, id: string, browserHash: string | null): Promise<PendingSignIn | null> {
  const row = await db
    .updateTable('oauth_sign_ins')
    .set({ completed_at: dbNow(db) })
    .where('state_hash', '=', id)
    .where('completed_at', 'is', null)
    .where('expires_at', '>', dbNow(db))
    .where((eb) => (browserHash === null ? eb('session_hash', 'is', null) : eb.or([eb('session_hash', 'is', null), eb('session_hash', '=', browserHash)])))
    .returningAll()
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.state_hash,
    profileId: Number(row.profile_id),
    codeVerifier: secrets.decrypt(row.code_verifier),
    nonce: row.nonce,
    redirectUri: row.redirect_uri,
    via: row.via,
    browserHash: row.session_hash,
    startedBy: row.started_by,
    expiresAt: row.expires_at,
  };
}

/**
 * How a taken sign-in ended: the account signed in, or why it failed (words for a person, never a
 * token). The verifier is no use any more and is blanked. False when it had ended already (cancelled
 * while its callback exchanged the code): the outcome stays as it was, and a success must not be saved.
 */
export async function finishSignIn(db: Db, id: string, outcome: { account: string } | { error: string }): Promise<boolean> {
  const result = await db
    .updateTable('oauth_sign_ins')
    .set({
      completed_at: dbNow(db),
      code_verifier: '',
      account: 'account' in outcome ? outcome.account : null,
      error: 'error' in outcome ? outcome.error : null,
    })
    .where('state_hash', '=', id)
    .where('account', 'is', null)
    .where('error', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends a sign-in nobody completed (the CLI was interrupted): its link stops working at once. */
export async function cancelSignIn(db: Db, id: string, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('oauth_sign_ins')
    .set({ completed_at: dbNow(db), code_verifier: '', error: reason })
    .where('state_hash', '=', id)
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Ends every sign-in of a profile that has no outcome yet, waiting for its callback or taken by one
 * still exchanging its code, with `reason`: they were started for settings the profile no longer has.
 * Returns how many.
 */
export async function cancelSignInsOf(db: Db, profileId: number, reason: string): Promise<number> {
  const result = await db
    .updateTable('oauth_sign_ins')
    .set({ completed_at: dbNow(db), code_verifier: '', error: reason })
    .where('profile_id', '=', profileId)
    .where('account', 'is', null)
    .where('error', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Drops sign-ins expired a while ago (pending or finished); returns how many. */
export async function purgeExpiredSignIns(db: Db): Promise<number> {
  const result = await db.deleteFrom('oauth_sign_ins').where('expires_at', '<', dbNow(db, -KEEP_AFTER_EXPIRY_MS)).executeTakeFirst();
  return Number(result.numDeletedRows);
}
