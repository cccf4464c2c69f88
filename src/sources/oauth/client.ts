// The OAuth2 conversation with a provider, through openid-client (a certified OpenID Connect client):
// discovery, the authorization URL with PKCE, the code exchange with ID token validation, and the refresh
// grant. Everything a provider says back that a person must act on becomes an OAuthError with words for
// them; nothing here ever puts a token or a client secret in a message.
import * as oidc from 'openid-client';
import type { OAuthProvider } from '../settings-core.js';
import { OAUTH_PRESETS } from './presets.js';

/** An app registered at a provider, as a profile names it (secret decrypted, in memory only). */
export interface OAuthApp {
  provider: OAuthProvider;
  clientId: string;
  clientSecret?: string;
  issuer?: string;
  authorizationUrl?: string;
  tokenUrl?: string;
}

export interface GrantedTokens {
  accessToken: string;
  /** ISO-8601. */
  accessExpiresAt: string;
  /** Undefined when the answer carried none (the stored one stays, for a refresh). */
  refreshToken?: string;
  scope?: string;
}

export interface SignedIn extends GrantedTokens {
  /** The account's email from the ID token (what the mailbox logs in as). */
  email: string | null;
  subject: string | null;
}

/**
 * `stopped`: it cannot work again until someone acts (sign in again, fix the client ID or secret);
 * else it is worth retrying (network, a provider's 5xx).
 */
export class OAuthError extends Error {
  constructor(message: string, readonly stopped: boolean, readonly code: string | null = null, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Seconds a provider gets to answer; its token endpoint is on the path of every poll that refreshes. */
const TIMEOUT_SECONDS = 30;
/** A token without expires_in is taken to last this long (RFC 6749 leaves it to the provider). */
const DEFAULT_LIFETIME_SECONDS = 3600;
/** Discovered metadata is reused this long per app, so a refresh costs one request, not two. */
const DISCOVERY_CACHE_MS = 60 * 60_000;

const configurations = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

/** The app's configuration: discovered from its issuer (cached), or from its two endpoints. */
export function configurationFor(app: OAuthApp): Promise<oidc.Configuration> {
  const key = JSON.stringify([app.provider, app.clientId, app.clientSecret ?? '', app.issuer ?? '', app.authorizationUrl ?? '', app.tokenUrl ?? '']);
  const cached = configurations.get(key);
  if (cached && Date.now() - cached.at < DISCOVERY_CACHE_MS) return cached.config;
  const config = makeConfiguration(app);
  configurations.set(key, { at: Date.now(), config });
  // A failed discovery is not remembered: the next attempt asks again.
  config.catch(() => configurations.get(key)?.config === config && configurations.delete(key));
  return config;
}

async function makeConfiguration(app: OAuthApp): Promise<oidc.Configuration> {
  const metadata = app.clientSecret ? { client_secret: app.clientSecret } : {};
  const issuer = app.issuer ?? OAUTH_PRESETS[app.provider].issuer;
  let config: oidc.Configuration;
  if (app.authorizationUrl && app.tokenUrl) {
    const insecure = [app.authorizationUrl, app.tokenUrl].map(checkedUrl).some((u) => u.protocol === 'http:');
    config = new oidc.Configuration(
      { issuer: issuer ?? new URL(app.tokenUrl).origin, authorization_endpoint: app.authorizationUrl, token_endpoint: app.tokenUrl },
      app.clientId, metadata, clientAuth(app),
    );
    if (insecure) oidc.allowInsecureRequests(config);
  } else {
    if (!issuer) throw new OAuthError('the provider has no issuer URL: set one (or both endpoints)', true, 'settings');
    const url = checkedUrl(issuer);
    try {
      // Discovery first with the default method, then the method chosen from what the provider supports.
      config = await oidc.discovery(url, app.clientId, metadata, clientAuth(app), {
        timeout: TIMEOUT_SECONDS,
        ...(url.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
    } catch (error) {
      throw describe(error, `discovering the provider at ${issuer}`);
    }
  }
  const supported = config.serverMetadata().token_endpoint_auth_methods_supported;
  if (app.clientSecret && supported && !supported.includes('client_secret_basic') && supported.includes('client_secret_post')) {
    config = new oidc.Configuration(config.serverMetadata(), app.clientId, metadata, oidc.ClientSecretPost(app.clientSecret));
    if (new URL(config.serverMetadata().token_endpoint ?? 'https://x').protocol === 'http:') oidc.allowInsecureRequests(config);
  }
  config.timeout = TIMEOUT_SECONDS;
  return config;
}

/**
 * HTTP Basic with the client secret: the method every provider must accept (RFC 6749 §2.3.1) and the
 * default of OpenID Connect clients; the form-post method only where the provider offers nothing else.
 * No secret: a public client, PKCE alone.
 */
function clientAuth(app: OAuthApp): oidc.ClientAuth {
  return app.clientSecret ? oidc.ClientSecretBasic(app.clientSecret) : oidc.None();
}

/**
 * An https URL, or http to this machine only (a provider on loopback, as in tests or behind a local
 * proxy): tokens and the client secret never cross a network in clear.
 */
function checkedUrl(text: string): URL {
  const url = new URL(text);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new OAuthError(`the provider's URL ${url.origin} must use https (plain http is only allowed to this machine)`, true, 'settings');
  }
  return url;
}

export interface AuthorizationRequest {
  url: string;
  codeVerifier: string;
  state: string;
  nonce: string;
}

/** Where to send the person signing in: PKCE (S256), a state and a nonce, and what makes the provider issue a refresh token. */
export async function authorizationRequest(app: OAuthApp, redirectUri: string, scopes: string[], loginHint?: string): Promise<AuthorizationRequest> {
  const config = await configurationFor(app);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: scopes.join(' '),
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...OAUTH_PRESETS[app.provider].authorizationParams,
    ...(loginHint ? { login_hint: loginHint } : {}),
  });
  return { url: url.href, codeVerifier, state, nonce };
}

/** The callback URL's code exchanged for tokens, the state, PKCE verifier and ID token all checked. */
export async function exchangeCode(
  app: OAuthApp,
  callbackUrl: URL,
  checks: { codeVerifier: string; state: string; nonce: string; redirectUri: string },
): Promise<SignedIn> {
  const config = await configurationFor(app);
  try {
    // The redirect URI sent to the token endpoint must be the one the authorization request named,
    // whatever host the callback was reached at (a proxy in front of mailbind).
    const current = new URL(checks.redirectUri);
    current.search = callbackUrl.search;
    const tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    const claims = tokens.claims();
    const email = typeof claims?.email === 'string' ? claims.email : null;
    return { ...granted(tokens), email, subject: claims?.sub ?? null };
  } catch (error) {
    throw describe(error, 'completing the sign-in');
  }
}

/** A new access token from the refresh token (and, where the provider rotates it, a new refresh token). */
export async function refreshTokens(app: OAuthApp, refreshToken: string): Promise<GrantedTokens> {
  const config = await configurationFor(app);
  try {
    return granted(await oidc.refreshTokenGrant(config, refreshToken));
  } catch (error) {
    throw describe(error, 'refreshing the access token');
  }
}

function granted(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): GrantedTokens {
  const lifetime = tokens.expiresIn() ?? DEFAULT_LIFETIME_SECONDS;
  return {
    accessToken: tokens.access_token,
    accessExpiresAt: new Date(Date.now() + lifetime * 1000).toISOString(),
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    ...(tokens.scope ? { scope: tokens.scope } : {}),
  };
}

/** A provider's or the library's error in words for a person, with whether retrying can help. */
export function describe(error: unknown, doing: string): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError) {
    const code = error.error;
    const said = error.error_description ? `: ${clip(error.error_description)}` : '';
    const status = error instanceof oidc.ResponseBodyError ? error.status : 0;
    switch (code) {
      case 'invalid_grant':
        return new OAuthError(doing === 'refreshing the access token'
          ? `the refresh token was revoked or has expired — sign in again (the provider said invalid_grant${said})`
          : `the provider refused the sign-in code (invalid_grant${said}); sign in again`, true, code, { cause: error });
      case 'invalid_client':
      case 'unauthorized_client':
        return new OAuthError(`the provider refused the app: check the client ID and client secret in the profile (${code}${said})`, true, code, { cause: error });
      case 'invalid_scope':
        return new OAuthError(`the provider refused the scopes asked for (invalid_scope${said}); see docs/oauth.md for the scopes your provider needs`, true, code, { cause: error });
      case 'access_denied':
        return new OAuthError(`the sign-in was cancelled or consent was not given at the provider (access_denied${said})`, true, code, { cause: error });
      default:
        return new OAuthError(`the provider answered ${code}${said} while ${doing}`, status > 0 && status < 500, code, { cause: error });
    }
  }
  const e = error as Error & { code?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new OAuthError(`the provider did not answer within ${TIMEOUT_SECONDS} s while ${doing}`, false, 'timeout', { cause: error });
  }
  const network = e?.cause?.code;
  if (network) return new OAuthError(`cannot reach the provider while ${doing}: ${network}`, false, network, { cause: error });
  if (error instanceof oidc.ClientError) {
    return new OAuthError(`${doing} failed: ${clip(e.message)}`, !/fetch|network|response status/i.test(e.message), e.code ?? null, { cause: error });
  }
  return new OAuthError(`${doing} failed: ${clip(e?.message ?? String(error))}`, false, null, { cause: error });
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
