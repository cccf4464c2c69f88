// Browser sessions over HTTP: sign-in sets an HttpOnly, SameSite=Strict cookie and hands out the CSRF
// token; a state change without it is refused; sign-out ends the session on the server; a viewer's
// session cannot change a profile; failed sign-ins are limited with a clear message and Retry-After.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addAccount } from '../../src/app/accounts.js';
import { LoginLimiter } from '../../src/app/login-limiter.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { dialects } from '../support/store.js';
import { openTestServer, type TestServer } from '../support/http.js';

const ADMIN_PASSWORD = 'correct horse battery';
const VIEWER_PASSWORD = 'viewer staple battery';

function cookieOf(setCookie: string | null): string {
  assert.ok(setCookie, 'a Set-Cookie header');
  return setCookie.split(';')[0]!;
}

for (const dialect of await dialects()) {
  describe(`sessions over HTTP (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await openTestServer(dialect, { limiter: new LoginLimiter({ perAccount: 3, perIp: 50 }) });
      await addAccount(s.app, { name: 'alice', role: 'admin', password: ADMIN_PASSWORD }, cliPrincipal('test'));
      await addAccount(s.app, { name: 'victor', role: 'viewer', password: VIEWER_PASSWORD }, cliPrincipal('test'));
    });
    after(() => s.close());

    async function signIn(name: string, password: string) {
      const answer = await s.call('/api/v1/session', { token: null, json: { name, password } });
      assert.equal(answer.status, 200, answer.text);
      return { cookie: cookieOf(answer.headers.get('set-cookie')), csrf: answer.json.csrfToken as string, setCookie: answer.headers.get('set-cookie')! };
    }

    test('sign-in sets an HttpOnly, SameSite=Strict session cookie and returns the CSRF token', async () => {
      const { setCookie, csrf } = await signIn('alice', ADMIN_PASSWORD);
      assert.match(setCookie, /^mailbind_session=[^;]+;/);
      assert.match(setCookie, /HttpOnly/i);
      assert.match(setCookie, /SameSite=Strict/i);
      assert.doesNotMatch(setCookie, /Secure/i, 'plain http on loopback: no Secure flag, or the browser would drop it');
      assert.ok(csrf.length >= 20);
    });

    test('the cookie is Secure behind a TLS proxy that says so (MAILBIND_TRUST_PROXY=1)', async () => {
      process.env.MAILBIND_TRUST_PROXY = '1';
      try {
        const answer = await s.call('/api/v1/session', { token: null, json: { name: 'alice', password: ADMIN_PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
        assert.match(answer.headers.get('set-cookie') ?? '', /Secure/);
      } finally {
        delete process.env.MAILBIND_TRUST_PROXY;
      }
    });

    test('a state change from a session without its CSRF token is refused; with it, it goes through', async () => {
      const { cookie, csrf } = await signIn('alice', ADMIN_PASSWORD);
      const refused = await s.call('/api/v1/profiles', { token: null, cookie, json: { name: 'csrf-test' } });
      assert.equal(refused.status, 403);
      assert.match(refused.json.error, /x-csrf-token/);
      const wrong = await s.call('/api/v1/profiles', { token: null, cookie, json: { name: 'csrf-test' }, headers: { 'x-csrf-token': 'not-it' } });
      assert.equal(wrong.status, 403);
      const created = await s.call('/api/v1/profiles', { token: null, cookie, json: { name: 'csrf-test' }, headers: { 'x-csrf-token': csrf } });
      assert.equal(created.status, 201, created.text);
      // reading needs no CSRF token
      assert.equal((await s.call('/api/v1/profiles', { token: null, cookie })).status, 200);
    });

    test('sign-out ends the session on the server: the old cookie no longer works', async () => {
      const { cookie, csrf } = await signIn('alice', ADMIN_PASSWORD);
      assert.equal((await s.call('/api/v1/session', { token: null, cookie })).json.name, 'alice');
      const out = await s.call('/api/v1/session', { method: 'DELETE', token: null, cookie, headers: { 'x-csrf-token': csrf } });
      assert.equal(out.status, 204);
      assert.equal((await s.call('/api/v1/session', { token: null, cookie })).status, 401);
      assert.equal((await s.call('/api/v1/profiles', { token: null, cookie })).status, 401);
    });

    test("a viewer's session reads but cannot change a profile", async () => {
      const { cookie, csrf } = await signIn('victor', VIEWER_PASSWORD);
      assert.equal((await s.call('/api/v1/profiles', { token: null, cookie })).status, 200);
      const change = await s.call('/api/v1/profiles', { token: null, cookie, json: { name: 'by-viewer' }, headers: { 'x-csrf-token': csrf } });
      assert.equal(change.status, 403);
      assert.match(change.json.error, /viewer/);
    });

    test("a removed admin's API tokens stop working; a demoted admin's tokens can only read", async () => {
      await addAccount(s.app, { name: 'temp-admin', role: 'admin', password: ADMIN_PASSWORD }, cliPrincipal('test'));
      await addAccount(s.app, { name: 'gone-admin', role: 'admin', password: ADMIN_PASSWORD }, cliPrincipal('test'));
      const asSession = async (name: string) => {
        const { cookie, csrf } = await signIn(name, ADMIN_PASSWORD);
        return (await s.call('/api/v1/tokens', { token: null, cookie, json: { name: `${name}-token`, role: 'admin' }, headers: { 'x-csrf-token': csrf } })).json.token as string;
      };
      const demotedToken = await asSession('temp-admin');
      const goneToken = await asSession('gone-admin');
      assert.equal((await s.call('/api/v1/tracker/teams', { token: demotedToken, json: { name: 'Before' } })).status, 201);
      assert.equal((await s.call('/api/v1/accounts/temp-admin', { method: 'PATCH', json: { role: 'viewer' } })).status, 200);
      assert.equal((await s.call('/api/v1/tracker/teams', { token: demotedToken, json: { name: 'After' } })).status, 403);
      assert.equal((await s.call('/api/v1/tracker/teams', { token: demotedToken })).status, 200);
      assert.equal((await s.call('/api/v1/accounts/gone-admin', { method: 'DELETE' })).status, 204);
      assert.equal((await s.call('/api/v1/profiles', { token: goneToken })).status, 401);
    });

    test('a PATCH that is refused changes nothing: a bad new password leaves the role as it was', async () => {
      await addAccount(s.app, { name: 'stays', role: 'admin', password: ADMIN_PASSWORD }, cliPrincipal('test'));
      const refused = await s.call('/api/v1/accounts/stays', { method: 'PATCH', json: { role: 'viewer', password: 'short' } });
      assert.equal(refused.status, 400);
      assert.equal(refused.json.errors[0].field, 'password');
      const account = (await s.call('/api/v1/accounts')).json.accounts.find((a: any) => a.name === 'stays');
      assert.equal(account.role, 'admin');
    });

    test('a wrong password answers 401, the same as an unknown name', async () => {
      const wrong = await s.call('/api/v1/session', { token: null, json: { name: 'victor', password: 'not the password' } });
      const unknown = await s.call('/api/v1/session', { token: null, json: { name: 'nobody', password: 'not the password' } });
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.equal(wrong.json.error, unknown.json.error);
    });

    test('forty guesses sent at once get at most the limit of answers; the rest are refused before any password is checked', async () => {
      await addAccount(s.app, { name: 'parallel', role: 'viewer', password: VIEWER_PASSWORD }, cliPrincipal('test'));
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => s.call('/api/v1/session', { token: null, json: { name: 'parallel', password: `guess number ${i}` } })));
      assert.equal(answers.filter((a) => a.status === 401).length, 3);
      assert.equal(answers.filter((a) => a.status === 429).length, 37);
    });

    test('repeated failed sign-ins are limited: 429 with Retry-After and a clear message, even with the right password', async () => {
      await addAccount(s.app, { name: 'limited', role: 'viewer', password: VIEWER_PASSWORD }, cliPrincipal('test'));
      for (let i = 0; i < 3; i++) {
        assert.equal((await s.call('/api/v1/session', { token: null, json: { name: 'limited', password: 'guess ' + i + ' wrong' } })).status, 401);
      }
      const blocked = await s.call('/api/v1/session', { token: null, json: { name: 'limited', password: VIEWER_PASSWORD } });
      assert.equal(blocked.status, 429);
      assert.ok(Number(blocked.headers.get('retry-after')) > 0);
      assert.match(blocked.json.error, /too many/);
    });
  });
}
