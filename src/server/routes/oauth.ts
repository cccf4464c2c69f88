// OAuth2 sign-in of a mailbox: POST /api/v1/profiles/{id}/sign-in gives the provider's address, and
// GET /oauth/callback is where the provider sends the browser back. The callback is the one route
// besides health and sign-in that needs no session: its single-use, 10-minute state (stored hashed) is
// the key, like a reset link's. A sign-in started from the web UI is also bound to the browser that
// started it, by a cookie of its own: the session cookie is SameSite=Strict, and a browser does not
// send it on the redirect back from the provider's site, so it cannot be what binds the two.
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { isTls } from '../client.js';
import type { HttpEnv } from '../env.js';
import type { Api } from '../http-app.js';
import { principalOf } from '../principal.js';
import { IdParam, errorResponse, json, route } from '../route.js';
import { SignInStart } from '../schemas/profiles.js';

const CALLBACK_PATH = '/oauth/callback';
/** The web UI's page of a profile (web/src/routes.ts), where a web-started sign-in lands. */
const profilePage = (id: number) => `/settings/plugins/email-integration/${id}`;
/** The binding cookie lasts as long as the sign-in (10 minutes). */
const BINDING_MAX_AGE_SECONDS = 600;

const start = route('admin', {
  method: 'post', path: '/api/v1/profiles/{id}/sign-in', tags: ['profiles'], summary: 'Start the OAuth2 sign-in of a mailbox',
  description:
    "Answers the provider's address to open; the provider sends the browser back to `/oauth/callback` under MAILBIND_PUBLIC_URL " +
    '(else the address this request came to), which stores the tokens and fills the login from the account when the profile has none. ' +
    'Started from a browser session, the sign-in must come back to the same browser (a cookie binds it, so the browser must be at the redirect URI\'s origin) and ends on the profile page ' +
    '(`?signedIn=1`, or `?signInError=` with the reason); started with an API token, the state alone binds it and it ends on a small page. ' +
    'A sign-in lasts 10 minutes and its address works once.',
  request: { params: IdParam },
  responses: {
    200: json(SignInStart, "the provider's address"),
    400: errorResponse('the profile does not sign in with OAuth2, or its provider settings are wrong, or a browser asked from another address than MAILBIND_PUBLIC_URL (open mailbind there)'),
    404: errorResponse('no such profile'),
    503: errorResponse('the provider cannot be reached (discovery failed)'),
  },
});

const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
const optionalText = (description: string) => z.string().optional().openapi({ description });

const callback = route('public', {
  method: 'get', path: CALLBACK_PATH, tags: ['profiles'], summary: 'Where the provider sends the browser back (OAuth2 redirect URI)',
  description: 'Register this address (under MAILBIND_PUBLIC_URL) as the redirect URI of the app at the provider. Not for API clients.',
  request: {
    // All optional: whatever comes, the person gets a page in words, not a JSON validation error.
    query: z.object({
      code: optionalText('the authorization code'),
      state: optionalText('the state the sign-in was started with'),
      error: optionalText('the provider refused or the person cancelled (RFC 6749 §4.1.2.1)'),
      error_description: optionalText("the provider's words"),
      iss: optionalText('the issuer (RFC 9207)'),
    }),
  },
  responses: {
    200: html('signed in (a sign-in started from the CLI or with an API token): "Signed in as …"'),
    303: { description: "a sign-in started from the web UI: back to the profile's page with `signedIn=1` or `signInError`" },
    400: html('the address names no sign-in this browser may complete (unknown, already used, expired, another browser), or the sign-in failed: the reason in words'),
    503: html('the provider could not be reached; start the sign-in again'),
  },
});

export function registerOAuth(api: Api): void {
  api.openapi(start, async (c) => {
    const { newSecret } = await import('../../app/bearer-secrets.js');
    const { redirectUriFor, signInCookieName, startSignIn } = await import('../../app/oauth-sign-in.js');
    // A browser session (it has a CSRF token) binds the sign-in to this browser; an API token's caller
    // has no browser of ours, so the state alone binds it, as for the command line.
    const browserSecret = c.get('csrfToken') !== undefined ? newSecret() : undefined;
    const app = c.get('app');
    const started = await startSignIn(app, c.req.valid('param').id, {
      via: browserSecret ? 'web' : 'cli',
      principal: principalOf(c),
      ...(browserSecret ? { browserSecret, browserOrigin: browserOriginOf(c) } : {}),
      redirectUri: redirectUriFor(app, originOf(c)),
    });
    if (browserSecret) {
      // Lax, not Strict: it must come along on the top-level redirect back from the provider's site.
      setCookie(c, signInCookieName(started.id), browserSecret, {
        httpOnly: true, sameSite: 'Lax', secure: isTls(c), path: CALLBACK_PATH, maxAge: BINDING_MAX_AGE_SECONDS,
      });
    }
    return c.json({ url: started.url }, 200);
  });

  api.openapi(callback, async (c) => {
    const { completeSignIn, SignInFailed, signInCookieName, signInId } = await import('../../app/oauth-sign-in.js');
    const { signInPageHtml } = await import('../../app/oauth-sign-in-page.js');
    // The code and state must not stay in a cache, nor be sent on as a referrer (the security headers say no-referrer).
    c.header('cache-control', 'no-store');
    const url = new URL(c.req.url);
    const state = url.searchParams.get('state');
    const cookie = state ? signInCookieName(signInId(state)) : null;
    const browserSecret = cookie ? getCookie(c, cookie) : undefined;
    // Used or not, the binding is done with: the sign-in is taken now, or was never this browser's.
    if (cookie && browserSecret !== undefined) deleteCookie(c, cookie, { path: CALLBACK_PATH, httpOnly: true, sameSite: 'Lax', secure: isTls(c) });
    const app = c.get('app');
    const logger = c.get('logger');
    try {
      const done = await completeSignIn(app, url, browserSecret ? { browserSecret } : {});
      logger.info({ profile: done.profileName, account: done.account, via: done.via }, 'signed in');
      if (done.via === 'web') return c.redirect(`${profilePage(done.profileId)}?signedIn=1`, 303) as never;
      return c.html(signInPageHtml({ ok: true, message: `Signed in as ${done.account} for profile ${done.profileName}.`, notes: done.notes }), 200) as never;
    } catch (error) {
      if (!(error instanceof SignInFailed)) {
        logger.error({ err: error }, 'sign-in callback failed');
        return c.html(signInPageHtml({ ok: false, message: 'The sign-in failed on an unexpected error; the service log says more.' }), 500) as never;
      }
      logger.warn({ profileId: error.at.profileId, via: error.at.via, reason: error.message }, 'sign-in refused');
      // A failure of this browser's own sign-in is shown where it started; any other address gets the page.
      if (error.at.taken && error.at.via === 'web' && error.at.profileId !== null) {
        return c.redirect(`${profilePage(error.at.profileId)}?signInError=${encodeURIComponent(error.message)}`, 303) as never;
      }
      return c.html(signInPageHtml({ ok: false, message: error.message }), error.category === 'unavailable' ? 503 : 400) as never;
    }
  });
}

/**
 * Where the browser that asked is, so where the binding cookie is set: the Origin header it sends with
 * every POST (behind a proxy that rewrites the Host header, only that names it), else the origin the
 * request came to.
 */
function browserOriginOf(c: Context<HttpEnv>): string {
  const origin = c.req.header('origin');
  if (origin && origin !== 'null' && URL.canParse(origin)) return new URL(origin).origin;
  return originOf(c);
}

/** The origin the request came to, https when a trusted proxy says so (client.ts). */
function originOf(c: Context<HttpEnv>): string {
  const url = new URL(c.req.url);
  return `${isTls(c) ? 'https:' : url.protocol}//${url.host}`;
}
