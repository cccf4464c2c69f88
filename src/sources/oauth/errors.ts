// OAuth2 failures in words for a person: what the provider said (its OAuth error codes), what the network
// did on the way to it (timeouts, refused or cut connections, certificates), and whether trying again
// can help (`stopped`: only a person can fix it). No message ever carries a token or the client secret:
// only the provider's own error text, clipped.
import * as oidc from 'openid-client';

/**
 * `stopped`: it cannot work again until someone acts (sign in again, fix the client ID or secret);
 * else it is worth retrying (network, a provider's 5xx).
 */
export class OAuthError extends Error {
  constructor(message: string, readonly stopped: boolean, readonly code: string | null = null, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The provider's refusals of the app itself (a wrong client ID, an expired client secret): fixed in the profile, not by signing in. */
export const APP_REFUSALS = ['invalid_client', 'unauthorized_client'] as const;

/** True for the code of a failure the app's credentials caused (APP_REFUSALS). */
export function isAppRefusal(code: string | null | undefined): boolean {
  return !!code && (APP_REFUSALS as readonly string[]).includes(code);
}

/** Why the provider cannot be reached, by Node's (or undici's) network code; the code follows in the message. */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'nothing accepts connections at its address',
  ENOTFOUND: 'its host name was not found (DNS)',
  EAI_AGAIN: 'its host name could not be looked up (DNS did not answer)',
  ETIMEDOUT: 'connecting to it timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connecting to it timed out',
  EHOSTUNREACH: 'no route to its host',
  ENETUNREACH: 'no route to its network',
};
/** Codes of a connection that was open and then closed under the request. */
const CUT = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** Certificate refusals (Node's TLS codes): the provider's certificate, not the network, is the trouble. */
const TLS_CODE = /^(CERT_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$)/;

/**
 * A provider's or the library's error in words for a person, with whether retrying can help.
 * `timeoutSeconds`: how long the request was given, for the words of a timeout.
 */
export function describe(error: unknown, doing: string, timeoutSeconds: number): OAuthError {
  if (error instanceof OAuthError) return error;
  const refusal = providerRefusal(error);
  if (refusal) {
    const { code, status } = refusal;
    const said = refusal.description ? `: ${clip(refusal.description)}` : '';
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
  const e = error as (Error & { code?: unknown; cause?: { code?: unknown; name?: unknown } }) | null;
  // openid-client wraps a timeout (its own or our deadline's) as ClientError OAUTH_TIMEOUT, the
  // DOMException in its cause; an abort the same way as OAUTH_ABORT.
  const timedOut = e?.code === 'OAUTH_TIMEOUT' || e?.code === 'OAUTH_ABORT'
    || [e?.name, e?.cause?.name].some((name) => name === 'TimeoutError' || name === 'AbortError');
  if (timedOut) {
    return new OAuthError(`the provider did not answer within ${formatSeconds(timeoutSeconds)} while ${doing}`, false, 'timeout', { cause: error });
  }
  // Only a string is a network code: a DOMException's numeric code (23 for a timeout) says nothing.
  const network = typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  if (network && TLS_CODE.test(network)) {
    return new OAuthError(`the provider's TLS certificate was not accepted while ${doing} (${network})`, false, network, { cause: error });
  }
  if (network && CUT.has(network)) {
    return new OAuthError(`the connection to the provider was cut while ${doing} (${network})`, false, network, { cause: error });
  }
  if (network) {
    const why = Object.hasOwn(UNREACHABLE, network) ? `: ${UNREACHABLE[network]}` : '';
    return new OAuthError(`cannot reach the provider while ${doing}${why} (${network})`, false, network, { cause: error });
  }
  if (error instanceof oidc.ClientError) {
    const status = e?.cause instanceof Response ? e.cause.status : 0;
    if (status) return new OAuthError(`the provider answered HTTP ${status} while ${doing}`, false, `http_${status}`, { cause: error });
    return new OAuthError(`${doing} failed: ${clip(error.message)}`, !/fetch|network|response status/i.test(error.message), error.code ?? null, { cause: error });
  }
  return new OAuthError(`${doing} failed: ${clip(e?.message ?? String(error))}`, false, null, { cause: error });
}

/**
 * The provider's OAuth error: in the answer's body (RFC 6749 §5.2), in the redirect, or in the
 * WWW-Authenticate challenge of a 401 (a client authentication that failed, which RFC 6749 answers with a
 * challenge: openid-client reports it as such, whatever the body says).
 */
function providerRefusal(error: unknown): { code: string; description: string | undefined; status: number } | null {
  if (error instanceof oidc.ResponseBodyError) return { code: error.error, description: error.error_description, status: error.status };
  if (error instanceof oidc.AuthorizationResponseError) return { code: error.error, description: error.error_description, status: 0 };
  if (error instanceof oidc.WWWAuthenticateChallengeError) {
    const said = error.cause.find((challenge) => typeof challenge.parameters.error === 'string')?.parameters;
    if (said?.error) return { code: said.error, description: said.error_description, status: error.status };
    // A 401 from a token endpoint is the client's authentication failing (RFC 6749 §5.2).
    if (error.status === 401) return { code: 'invalid_client', description: undefined, status: 401 };
  }
  return null;
}

function formatSeconds(seconds: number): string {
  return `${Math.round(seconds * 10) / 10} s`;
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
