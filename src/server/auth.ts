// Who asks, and may they. A request carries either an API token (`Authorization: Bearer mbt_…`) or the
// browser session cookie; `identify` finds the principal for every /api request, `requireAccess` (set
// on each route by route.ts) refuses with 401 without one, with 403 when a viewer tries to change
// something, and with 403 when a session's state change lacks its CSRF token. Bearer requests carry
// no cookie, so they need no CSRF token: a browser never adds an Authorization header on its own.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import type { HttpEnv } from './env.js';

export const SESSION_COOKIE = 'mailbind_session';
export const CSRF_HEADER = 'x-csrf-token';
/** Sent (value 1) by the UI on requests it makes by itself, such as polling: they are not activity. */
export const BACKGROUND_HEADER = 'x-mailbind-background';

/** public: anyone; viewer: any signed-in principal; admin: admins; intake: the profile's intake token (checked by the route); metrics: an admin or the metrics token. */
export type Access = 'public' | 'viewer' | 'admin' | 'intake' | 'metrics';

export function bearerOf(c: Context): string | null {
  const header = c.req.header('authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1]! : null;
}

/** Finds the principal of the request, if any; never refuses (that is requireAccess's job). */
export function identify(): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const app = c.get('app');
    const bearer = bearerOf(c);
    if (bearer?.startsWith('mbt_')) {
      const { authenticateToken } = await import('../app/tokens.js');
      const principal = await authenticateToken(app, bearer);
      if (principal) c.set('principal', principal);
    } else if (!bearer) {
      const cookie = getCookie(c, SESSION_COOKIE);
      if (cookie) {
        const { resumeSession } = await import('../app/sessions.js');
        // An open tab polling every few seconds must not keep an idle session alive forever.
        const session = await resumeSession(app, cookie, { touch: c.req.header(BACKGROUND_HEADER) !== '1' });
        if (session) {
          c.set('principal', session.principal);
          c.set('csrfToken', session.csrfToken);
        }
      }
    }
    await next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function requireAccess(access: Access): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    if (access === 'public' || access === 'intake') return next();
    if (access === 'metrics' && metricsTokenMatches(c)) return next();
    const principal = c.get('principal');
    if (!principal) throw new HTTPException(401, { message: 'sign in first, or send an API token as Authorization: Bearer' });
    const sessionCsrf = c.get('csrfToken');
    if (sessionCsrf !== undefined && !SAFE_METHODS.has(c.req.method) && !sameSecret(c.req.header(CSRF_HEADER) ?? '', sessionCsrf)) {
      throw new HTTPException(403, { message: `a change from a browser session needs the ${CSRF_HEADER} header the session was given` });
    }
    if ((access === 'admin' || access === 'metrics') && principal.role !== 'admin') {
      throw new HTTPException(403, { message: `${principal.name} is a viewer: only an admin may do this` });
    }
    return next();
  };
}

/** MAILBIND_METRICS_TOKEN: a scraper's own token, good for /metrics and nothing else. */
function metricsTokenMatches(c: Context): boolean {
  const expected = process.env.MAILBIND_METRICS_TOKEN;
  const given = bearerOf(c);
  return Boolean(expected && given && sameSecret(given, expected));
}

/** Compares two secrets in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}
