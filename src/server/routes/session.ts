// Browser sign-in: POST /session sets an HttpOnly, SameSite=Strict cookie (Secure over TLS) and
// returns the CSRF token that every state change of that session must send back; DELETE /session
// ends the session on the server, not just in the browser.
import { z } from '@hono/zod-openapi';
import { AppError } from '../../app/errors.js';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { CSRF_HEADER, SESSION_COOKIE } from '../auth.js';
import { clientIp, isTls } from '../client.js';
import type { Api, ServerDeps } from '../http-app.js';
import { principalOf } from '../principal.js';
import { errorResponse, json, jsonBody, route } from '../route.js';

const tags = ['session'];
const Me = z
  .object({
    name: z.string(),
    role: z.enum(['admin', 'viewer']),
    kind: z.enum(['account', 'token', 'cli']),
    csrfToken: z.string().optional().openapi({ description: `send back as the ${CSRF_HEADER} header on every state change of this session` }),
    expiresAt: z.string().optional(),
  })
  .openapi('Me');

const login = route('public', {
  method: 'post', path: '/api/v1/session', tags, summary: 'Sign in',
  request: { body: jsonBody(z.object({ name: z.string().min(1, 'Name should not be empty'), password: z.string().min(1, 'Password should not be empty') })) },
  responses: {
    200: json(Me, 'signed in; the session cookie is set'),
    401: errorResponse('wrong name or password'),
    429: errorResponse('too many failed sign-ins; Retry-After says when to try again'),
  },
});
const me = route('viewer', {
  method: 'get', path: '/api/v1/session', tags, summary: 'Who am I',
  responses: { 200: json(Me, 'the principal of this request') },
});
const logout = route('viewer', {
  method: 'delete', path: '/api/v1/session', tags, summary: 'Sign out (ends the session on the server)',
  responses: { 204: { description: 'signed out' } },
});

export function registerSession(api: Api, deps: ServerDeps): void {
  api.openapi(login, async (c) => {
    const { login: signIn } = await import('../../app/sessions.js');
    const { name, password } = c.req.valid('json');
    let signedIn;
    try {
      signedIn = await signIn(c.get('app'), deps.limiter, { name, password, ip: clientIp(c) });
    } catch (error) {
      // Wrong credentials are an authentication failure (401), not a malformed request.
      if (error instanceof AppError && error.category === 'user') return c.json({ error: error.message }, 401);
      throw error;
    }
    const { principal, session } = signedIn;
    setCookie(c, SESSION_COOKIE, session.cookieValue, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: isTls(c),
      path: '/',
      expires: new Date(session.expiresAt),
    });
    return c.json({ name: principal.name, role: principal.role, kind: principal.kind, csrfToken: session.csrfToken, expiresAt: session.expiresAt }, 200);
  });
  api.openapi(me, (c) => {
    const principal = principalOf(c);
    const csrfToken = c.get('csrfToken');
    return c.json({ name: principal.name, role: principal.role, kind: principal.kind, ...(csrfToken ? { csrfToken } : {}) }, 200);
  });
  api.openapi(logout, async (c) => {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie) {
      const { endSession } = await import('../../app/sessions.js');
      await endSession(c.get('app'), cookie);
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: isTls(c) });
    return c.body(null, 204);
  });
}
