// The OAuth2 conversation with a provider, through openid-client (a certified OpenID Connect client):
// discovery, the authorization URL with PKCE, the code exchange with ID token validation, and the refresh
// grant. Everything a provider says back that a person must act on becomes an OAuthError with words for
// them (errors.ts); nothing here ever puts a token or a client secret in a message.
import { AsyncLocalStorage } from 'node:async_hooks';
import * as oidc from 'openid-client';
import type { OAuthProvider } from '../settings-core.js';
import { describe, OAuthError } from './errors.js';
import { OAUTH_PRESETS } from './presets.js';

export { APP_REFUSALS, describe, isAppRefusal, OAuthError } from './errors.js';

/** An app registered at a provider, as a profile names it (secret decrypted, in memory only). */
export interface OAuthApp {
  provider: OAuthProvider;
  clientId: string;
  clientSecret?: string;
  issuer?: string;
  authorizationUrl?: string;
  tokenUrl?: string;
  /**
   * signInDestination() of the settings this app was read from: tokens obtained with it are stored
   * with it, and tokens stored for another destination are not used with it (access-tokens.ts).
   */
  destination: string;
}

/** A provider's discovered (or configured) metadata with the app's client, ready for requests. */
export type ProviderConfiguration = oidc.Configuration;

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

/** Seconds a provider gets to answer; its token endpoint is on the path of every poll that refreshes. */
export const TIMEOUT_SECONDS = 30;
/** A token without expires_in is taken to last this long (RFC 6749 leaves it to the provider). */
const DEFAULT_LIFETIME_SECONDS = 3600;
/** Discovered metadata is reused this long per app, so a refresh costs one request, not two. */
const DISCOVERY_CACHE_MS = 60 * 60_000;

const configurations = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

/**
 * The deadline of the provider request under way in this async context, set by refreshTokens: the
 * configuration is shared by every profile of an app, so a per-request deadline cannot live on it.
 */
const requestDeadline = new AsyncLocalStorage<AbortSignal>();

/** fetch for a configuration's requests: cut off at the caller's deadline too, when it set one. */
const fetchWithDeadline: oidc.CustomFetch = (url, options) => {
  const deadline = requestDeadline.getStore();
  const signal = deadline && options.signal ? AbortSignal.any([options.signal, deadline]) : (deadline ?? options.signal);
  return fetch(url, { ...options, ...(signal ? { signal } : {}) });
};

/**
 * The app's configuration: discovered from its issuer (cached), or from its two endpoints. Every
 * endpoint it will call is checked first (https, or http to this machine only). `timeoutSeconds`
 * bounds the discovery request (tests shorten it).
 */
export function configurationFor(app: OAuthApp, options: { timeoutSeconds?: number } = {}): Promise<oidc.Configuration> {
  const key = JSON.stringify([app.provider, app.clientId, app.clientSecret ?? '', app.issuer ?? '', app.authorizationUrl ?? '', app.tokenUrl ?? '']);
  const cached = configurations.get(key);
  if (cached && Date.now() - cached.at < DISCOVERY_CACHE_MS) return cached.config;
  const config = makeConfiguration(app, options.timeoutSeconds ?? TIMEOUT_SECONDS);
  configurations.set(key, { at: Date.now(), config });
  // A failed discovery is not remembered: the next attempt asks again.
  config.catch(() => configurations.get(key)?.config === config && configurations.delete(key));
  return config;
}

async function makeConfiguration(app: OAuthApp, discoverySeconds: number): Promise<oidc.Configuration> {
  const metadata = app.clientSecret ? { client_secret: app.clientSecret } : {};
  const issuer = app.issuer ?? OAUTH_PRESETS[app.provider].issuer;
  let config: oidc.Configuration;
  if (app.authorizationUrl && app.tokenUrl) {
    config = new oidc.Configuration(
      { issuer: issuer ?? new URL(app.tokenUrl).origin, authorization_endpoint: app.authorizationUrl, token_endpoint: app.tokenUrl },
      app.clientId, metadata, clientAuth(app),
    );
  } else {
    if (!issuer) throw new OAuthError('the provider has no issuer URL: set one (or both endpoints)', true, 'settings');
    const url = checkedUrl(issuer, "the provider's issuer URL");
    try {
      // Discovery first with the default method, then the method chosen from what the provider supports.
      config = await oidc.discovery(url, app.clientId, metadata, clientAuth(app), {
        timeout: discoverySeconds,
        ...(url.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
    } catch (error) {
      throw describe(error, `discovering the provider at ${issuer}`, discoverySeconds);
    }
  }
  // What discovery named, not only the issuer: a provider on this machine must not send the tokens or
  // the client secret over plain http to another host.
  const insecure = checkedEndpoints(config.serverMetadata());
  const supported = config.serverMetadata().token_endpoint_auth_methods_supported;
  if (app.clientSecret && supported && !supported.includes('client_secret_basic') && supported.includes('client_secret_post')) {
    config = new oidc.Configuration(config.serverMetadata(), app.clientId, metadata, oidc.ClientSecretPost(app.clientSecret));
  }
  if (insecure) oidc.allowInsecureRequests(config);
  config.timeout = TIMEOUT_SECONDS;
  config[oidc.customFetch] = fetchWithDeadline;
  return config;
}

/** The endpoints a configuration calls (or sends a browser to), each checked; true when one is plain http. */
function checkedEndpoints(server: oidc.ServerMetadata): boolean {
  const endpoints: Array<[string, string | undefined]> = [
    ['authorization endpoint', server.authorization_endpoint],
    ['token endpoint', server.token_endpoint],
    ['JWKS URI', server.jwks_uri],
    ['userinfo endpoint', server.userinfo_endpoint],
  ];
  let insecure = false;
  for (const [name, url] of endpoints) {
    if (url !== undefined && checkedUrl(url, `the provider's ${name}`).protocol === 'http:') insecure = true;
  }
  return insecure;
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
 * proxy): tokens and the client secret never cross a network in clear. `what` names it in the message.
 */
function checkedUrl(text: string, what = "the provider's URL"): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OAuthError(`${what} is not a URL: ${clip(text)}`, true, 'settings');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new OAuthError(`${what} ${url.origin} must use https (plain http is only allowed to this machine)`, true, 'settings');
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
    throw describe(error, 'completing the sign-in', TIMEOUT_SECONDS);
  }
}

/**
 * A new access token from the refresh token (and, where the provider rotates it, a new refresh token),
 * with `config` from configurationFor. The request is abandoned after `timeoutSeconds` (at most
 * TIMEOUT_SECONDS): a refresher under a lease gives it only the time its lease has left.
 */
export async function refreshTokens(config: ProviderConfiguration, refreshToken: string, timeoutSeconds = TIMEOUT_SECONDS): Promise<GrantedTokens> {
  const seconds = Math.min(timeoutSeconds, TIMEOUT_SECONDS);
  try {
    return granted(await requestDeadline.run(AbortSignal.timeout(seconds * 1000), () => oidc.refreshTokenGrant(config, refreshToken)));
  } catch (error) {
    throw describe(error, 'refreshing the access token', seconds);
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

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
