// Signing an OAuth2 mailbox in: the authorization code flow with PKCE, started from the profile page
// (bound to the browser that started it) or the command line (bound by the state alone), and completed
// by the callback wherever it lands: the service's /oauth/callback, the CLI's own loopback listener, or
// a redirect address pasted into the CLI. The state is single-use and lasts 10 minutes; the tokens are
// sealed (store/oauth-tokens.ts), and nothing here ever puts a token or the client secret in a message.
import { appendAudit } from '../store/audit.js';
import { cancelSignIn, createSignIn, findSignIn, finishSignIn, signInId, takeSignIn, SIGN_IN_TTL_MS, type PendingSignIn, type SignInVia } from '../store/oauth-sign-ins.js';
import type { Db } from '../store/database.js';
import { saveSignIn, signInStatus } from '../store/oauth-tokens.js';
import * as profiles from '../store/profiles.js';
import { inTransaction } from '../store/transaction.js';
import { updateStatus } from '../sources/status.js';
import { validateSettings, type SourceSettings } from '../sources/settings.js';
import { oauthAppOf, scopesOf } from '../sources/oauth/app.js';
import { missingScopes } from '../sources/oauth/check-token.js';
import { authorizationRequest, exchangeCode, OAuthError, type OAuthApp, type SignedIn } from '../sources/oauth/client.js';
import { mailScopes } from '../sources/oauth/presets.js';
import type { App } from './app.js';
import { secretHash } from './bearer-secrets.js';
import { AppError, userError, type ErrorCategory } from './errors.js';
import { actorName, type Principal } from './principal.js';

export type { SignInVia };

/** Where mailbind serves the redirect URI; the provider's app registration names it. */
export const OAUTH_CALLBACK_PATH = '/oauth/callback';
export const SIGN_IN_MINUTES = SIGN_IN_TTL_MS / 60_000;

export interface StartSignIn {
  /** 'web': only the browser holding `browserSecret` may complete it; 'cli': the state alone is the key. */
  via: SignInVia;
  principal: Principal;
  /** For 'web': a secret the server gave the starting browser (a cookie); only its hash is stored. */
  browserSecret?: string;
  /**
   * For 'web': the origin of the page that asked, where that cookie is set. The provider must send the
   * browser back to the same origin, or the cookie does not come along and the sign-in cannot complete.
   */
  browserOrigin?: string;
  redirectUri: string;
}

export interface SignInStarted {
  /** The provider's address to open. */
  url: string;
  /** The sign-in's id, to wait for it (waitForSignIn). */
  id: string;
  profileId: number;
  profileName: string;
}

export interface SignInCompleted {
  profileId: number;
  profileName: string;
  account: string;
  via: SignInVia;
  /** The profile had no login and now logs in as the account. */
  loginFilled: boolean;
  /** What the person should know although it worked (a scope not granted, no refresh token). */
  notes: string[];
}

/** Where a failed sign-in stood: which profile, started how, and whether its state had been taken. */
export interface SignInAt {
  profileId: number | null;
  via: SignInVia | null;
  /**
   * True once the callback took the state (this browser may complete it, and it is now used up): the
   * failure belongs to that sign-in and is shown where it started. False for an address that names no
   * sign-in this browser may complete (unknown, used, expired, another browser's).
   */
  taken: boolean;
}

/** A sign-in that did not complete, with words for the person and where it stood. */
export class SignInFailed extends AppError {
  readonly at: SignInAt;
  constructor(category: ErrorCategory, message: string, at: Partial<SignInAt> = {}) {
    super(category, message);
    this.at = { profileId: at.profileId ?? null, via: at.via ?? null, taken: at.taken ?? false };
  }
}

/** The cookie that binds a web-started sign-in to its browser; named per sign-in, so two tabs can sign in at once. */
export function signInCookieName(id: string): string {
  return `mailbind_signin_${id.slice(0, 16)}`;
}

/** The id of the sign-in a callback's state names. */
export { signInId };

/** The redirect URI: under MAILBIND_PUBLIC_URL when set, else under the origin the request came to. */
export function redirectUriFor(app: App, origin: string): string {
  const base = (app.outgoing.publicUrl ?? origin).replace(/\/+$/, '');
  return `${base}${OAUTH_CALLBACK_PATH}`;
}

/** Starts a sign-in for an OAuth2 profile: the provider's address to open, and the pending sign-in recorded. */
export async function startSignIn(app: App, nameOrId: string | number, options: StartSignIn): Promise<SignInStarted> {
  const profile = await profiles.getProfile(app.store.db, nameOrId);
  const { stored, oauthApp } = oauthProfile(app, profile);
  const redirectUri = checkedRedirectUri(options.redirectUri);
  if (options.via === 'web' && !options.browserSecret) throw new Error('a web sign-in needs the browser secret it is bound to');
  if (options.via === 'web' && options.browserOrigin) comesBackTo(app, options.browserOrigin, redirectUri);
  let request;
  try {
    request = await authorizationRequest(oauthApp, redirectUri, scopesOf(stored), stored.login);
  } catch (error) {
    throw known(error, { profileId: profile.id }) ?? error;
  }
  const id = await createSignIn(app.store.db, app.secrets(), {
    state: request.state,
    profileId: profile.id,
    codeVerifier: request.codeVerifier,
    nonce: request.nonce,
    redirectUri,
    via: options.via,
    browserHash: options.via === 'web' ? secretHash(options.browserSecret!) : null,
    startedBy: actorName(options.principal),
  });
  return { url: request.url, id, profileId: profile.id, profileName: profile.name };
}

/**
 * Completes a sign-in from the address the provider redirected to: the state taken once, the code
 * exchanged (PKCE, nonce and ID token checked), the account matched with the profile's login (or made
 * its login), the tokens sealed, an audit entry. Every failure after the state named a sign-in is
 * recorded on it (a waiting CLI reads it) and thrown as SignInFailed.
 */
export async function completeSignIn(app: App, callbackUrl: string | URL, options: { browserSecret?: string } = {}): Promise<SignInCompleted> {
  const url = new URL(callbackUrl);
  const state = url.searchParams.get('state');
  if (!state) throw new SignInFailed('user', 'the address has no state: it is not the end of a sign-in mailbind started; start the sign-in again');
  const id = signInId(state);
  const pending = await takeSignIn(app.store.db, app.secrets(), id, options.browserSecret ? secretHash(options.browserSecret) : null);
  if (!pending) throw await whyNotTaken(app, id);
  try {
    return await complete(app, url, state, pending);
  } catch (error) {
    const failed = known(error, { profileId: pending.profileId, via: pending.via, taken: true });
    // An unexpected error's own text stays in the service log, not on a page or in the CLI.
    await finishSignIn(app.store.db, pending.id, { error: failed?.message ?? 'the sign-in failed on an unexpected error; the service log says more' });
    throw failed ?? error;
  }
}

async function complete(app: App, url: URL, state: string, pending: PendingSignIn): Promise<SignInCompleted> {
  const refused = providerError(url);
  if (refused) throw new SignInFailed('user', refused);
  if (!url.searchParams.get('code')) throw new SignInFailed('user', 'the address has no authorization code: copy the whole address the browser ended on');
  const profile = await profiles.getProfile(app.store.db, pending.profileId);
  const { stored, oauthApp } = oauthProfile(app, profile);
  const signedIn = await exchangeCode(oauthApp, url, { state, codeVerifier: pending.codeVerifier, nonce: pending.nonce, redirectUri: pending.redirectUri });
  const account = accountOf(signedIn, stored);
  const notes = notesOn({ scope: signedIn.scope ?? null, hasRefreshToken: Boolean(signedIn.refreshToken) }, stored);
  const loginFilled = await inTransaction(app.store.db, async (trx) => {
    // First, so that a change of the profile's settings meanwhile, which cancels it (profiles.ts), either
    // came before (and this one is refused) or waits for this one and then signs it out.
    if (!(await finishSignIn(trx, pending.id, { account }))) throw await endedMeanwhile(trx, pending.id);
    // Read again: the login may have been set while the person was at the provider.
    const current = await profiles.getProfile(trx, pending.profileId);
    const source = current.source ? validateSettings(current.source) : null;
    if (!source || source.auth !== 'oauth2') throw new SignInFailed('user', `profile '${current.name}' no longer signs in with OAuth2: nothing was saved`);
    const login = source.login?.trim();
    if (login && login.toLowerCase() !== account.toLowerCase()) {
      // Gmail opens only the account's own mailbox over IMAP and POP3. Microsoft 365 opens a shared
      // mailbox (support@) with the token of a person given Full Access to it: that is how shared
      // mailboxes sign in there, so another account is taken, said, and left to the mail server to judge.
      if (source.oauthProvider === 'google') {
        throw new SignInFailed('user', `signed in as ${account}, but the mailbox is ${login}: sign in with ${login}'s account (or change the profile's login first)`);
      }
      notes.push(`signed in as ${account} to read the mailbox ${login}: this works for a Microsoft 365 shared mailbox the account has Full Access to; otherwise sign in with ${login}'s account`);
    }
    await saveSignIn(trx, app.secrets(), current.id, {
      account,
      subject: signedIn.subject,
      accessToken: signedIn.accessToken,
      accessExpiresAt: signedIn.accessExpiresAt,
      refreshToken: signedIn.refreshToken ?? null,
      scope: signedIn.scope ?? null,
      destination: oauthApp.destination,
    });
    // Written as stored (the secrets stay sealed); the login is all that changes.
    if (!login) await profiles.updateProfile(trx, current.id, { source: { ...current.source!, login: account } });
    await appendAudit(trx, {
      actor: pending.startedBy,
      action: 'profile.signin',
      target: `profile ${current.name}`,
      details: { id: current.id, account, via: pending.via, ...(login ? {} : { loginFilled: true }) },
    });
    return !login;
  });
  // Polls that failed for want of a sign-in are retried at once, not after their backoff.
  await updateStatus(app.store.db, profile.id, { consecutiveFailures: 0, nextPollAt: new Date().toISOString(), lastError: null, lastErrorAt: null });
  return { profileId: profile.id, profileName: profile.name, account, via: pending.via, loginFilled, notes };
}

/** Ends a sign-in nobody will complete (the CLI was interrupted), so its address stops working. */
export async function cancelPendingSignIn(app: App, id: string): Promise<void> {
  await cancelSignIn(app.store.db, id, 'the sign-in was cancelled');
}

/** The profile's stored settings and its app at the provider; a password profile cannot sign in. */
function oauthProfile(app: App, profile: profiles.Profile): { stored: SourceSettings; oauthApp: OAuthApp } {
  const stored = profile.source ? validateSettings(profile.source) : null;
  const oauthApp = stored ? oauthAppOf(stored, app.secrets()) : null;
  if (!stored || !oauthApp) {
    const how = !stored ? 'has no mailbox' : stored.protocol === 'pipe' ? 'receives piped mail' : 'logs in with a password';
    throw new SignInFailed('user', `profile '${profile.name}' ${how}: set its access to OAuth2 (auth oauth2, a provider and a client ID) before signing in`, { profileId: profile.id });
  }
  return { stored, oauthApp };
}

function checkedRedirectUri(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw userError(`the redirect URI '${text}' is not an address; it should look like https://mailbind.example.com${OAUTH_CALLBACK_PATH}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw userError(`the redirect URI should start with https:// (or http:// on this machine), not ${url.protocol}`);
  if (url.search || url.hash) throw userError('the redirect URI should have no query or fragment: the provider adds the code and state to it');
  return url.href;
}

/** Refuses a web sign-in whose browser is at another origin than the redirect URI's: it could never complete. */
function comesBackTo(app: App, browserOrigin: string, redirectUri: string): void {
  const back = new URL(redirectUri);
  if (back.origin === browserOrigin) return;
  const base = back.href.endsWith(OAUTH_CALLBACK_PATH) ? back.href.slice(0, -OAUTH_CALLBACK_PATH.length) : back.origin;
  // Without MAILBIND_PUBLIC_URL the redirect URI is the address the request came to, which a reverse
  // proxy rewriting the Host header makes another than the browser's.
  const unset = app.outgoing.publicUrl ? '' : `; if people open mailbind at ${browserOrigin}, set MAILBIND_PUBLIC_URL to that address`;
  throw userError(`open mailbind at ${base} to sign in: the provider sends the browser back there${unset}`);
}

/** Why a callback's state found no sign-in to take: words for the person holding the address. */
async function whyNotTaken(app: App, id: string): Promise<SignInFailed> {
  const record = await findSignIn(app.store.db, id);
  if (!record) return new SignInFailed('user', 'this sign-in is unknown (or long gone): start the sign-in again');
  const at = { profileId: record.profileId, via: record.via };
  // Failed, or cancelled before its callback came (the CLI interrupted, the profile's settings changed).
  if (record.error) return new SignInFailed('user', `this sign-in has ended: ${record.error}`, at);
  if (record.completedAt) return new SignInFailed('user', 'this sign-in was already used: each sign-in address works once; start the sign-in again if the profile is not signed in', at);
  if (record.expired) return new SignInFailed('user', `this sign-in expired (a sign-in has ${SIGN_IN_MINUTES} minutes to come back): start it again`, at);
  // Bound to another browser: it stays open for that one.
  return new SignInFailed('user', 'this sign-in was started in another browser: finish it in the browser that started it, or start it again here', at);
}

/** Why a sign-in taken by this callback was ended by someone else while its code was exchanged. */
async function endedMeanwhile(db: Db, id: string): Promise<SignInFailed> {
  const record = await findSignIn(db, id);
  return new SignInFailed('user', record?.error ?? 'the sign-in was cancelled while it completed: start it again');
}

/** The provider's refusal in the callback (RFC 6749 §4.1.2.1), in words; its own text clipped and cleaned. */
function providerError(url: URL): string | null {
  const code = url.searchParams.get('error');
  if (code === null) return null;
  const error = /^[\x20-\x7e]{1,64}$/.test(code) ? code : 'error';
  const said = clean(url.searchParams.get('error_description') ?? '');
  if (error === 'access_denied') return `the sign-in was cancelled or refused at the provider (access_denied${said ? `: ${said}` : ''}); start it again and allow the access`;
  return `the provider refused the sign-in (${error}${said ? `: ${said}` : ''})`;
}

/** Untrusted text for a message: no control characters, at most 200 characters. */
function clean(text: string): string {
  const flat = text.slice(0, 400).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/**
 * The account that signed in: the ID token's email. A provider that names none (some Entra ID work
 * accounts) is taken at the profile's login: the mail server still checks the token belongs to it.
 */
function accountOf(signedIn: SignedIn, stored: SourceSettings): string {
  const email = signedIn.email?.trim();
  if (email) return email;
  if (stored.login) return stored.login;
  throw new SignInFailed('user', "the provider did not say which account signed in (no email in the ID token): ask for the 'email' scope, or set the profile's login");
}

/** What the person should know about a sign-in that worked: a mail scope not granted, no refresh token. */
function notesOn(granted: { scope: string | null; hasRefreshToken: boolean }, stored: SourceSettings): string[] {
  const notes: string[] = [];
  // Compared as Check Connection compares them (without case: Microsoft echoes scope URLs in its own
  // spelling); a response without `scope` granted what was asked (RFC 6749 §5.1).
  const missing = missingScopes(mailScopes(scopesOf(stored)), granted.scope);
  if (missing.length) notes.push(`the provider did not grant ${missing.join(', ')}: the mail server will likely refuse the login; allow it at the consent page, or check the app's API permissions (docs/oauth.md)`);
  if (!granted.hasRefreshToken) notes.push('no refresh token was issued — the provider did not grant offline access (see docs/oauth.md); the sign-in lasts until the access token expires');
  return notes;
}

/** The notes on a profile's current sign-in, for whoever waited while someone else completed it (the CLI). */
export async function signInNotes(app: App, profileId: number): Promise<string[]> {
  const [profile, status] = await Promise.all([profiles.getProfile(app.store.db, profileId), signInStatus(app.store.db, profileId)]);
  if (!profile.source || !status) return [];
  return notesOn(status, validateSettings(profile.source));
}

/**
 * A failure with words for a person, as a SignInFailed: the provider's (OAuthError: worth retrying
 * unless stopped), ours, a profile gone meanwhile. Null for an unexpected error (a bug, a database down).
 */
function known(error: unknown, at: Partial<SignInAt>): SignInFailed | null {
  if (error instanceof SignInFailed) return new SignInFailed(error.category, error.message, { ...at, ...defined(error.at) });
  if (error instanceof OAuthError) return new SignInFailed(error.stopped ? 'user' : 'unavailable', error.message, at);
  if (error instanceof AppError) return new SignInFailed(error.category, error.message, at);
  if (error instanceof profiles.ProfileNameError) return new SignInFailed('not-found', 'the profile was deleted while signing in', at);
  return null;
}

function defined(at: SignInAt): Partial<SignInAt> {
  return Object.fromEntries(Object.entries(at).filter(([k, v]) => v !== null && !(k === 'taken' && v === false)));
}
