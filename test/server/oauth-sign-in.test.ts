// OAuth2 sign-in over HTTP, against a real OpenID provider on loopback: POST /api/v1/profiles/{id}/sign-in
// (admin only) and GET /oauth/callback. A sign-in started with an API token ends on a small page; one
// started from a browser session comes back only to that browser (its own SameSite=Lax cookie) and
// lands on the profile page. Unknown, replayed and expired states, the provider's access_denied and a
// stranger's browser each get words and store nothing; no client secret, token, code or state shows up
// in any answer (but the provider's address) or log line.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addAccount } from '../../src/app/accounts.js';
import { assemble } from '../../src/app/app.js';
import { LoginLimiter } from '../../src/app/login-limiter.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createHttpApp } from '../../src/server/http-app.js';
import { openTokens } from '../../src/store/oauth-tokens.js';
import { memoryLog } from '../support/memory-log.js';
import { startOidcProvider, type OidcTestProvider } from '../support/oidc-provider.js';
import { dialects } from '../support/store.js';
import { openTestServer, type Answer, type TestServer } from '../support/http.js';

const ALICE = 'alice@example.test';
/** app.request() answers as http://localhost. */
const REDIRECT = 'http://localhost/oauth/callback';
const PUBLIC_REDIRECT = 'https://mail.example.test/mailbind/oauth/callback';
const ADMIN_PASSWORD = 'admin-pass-phrase-1';

/** The path and query of an absolute URL, to request it from the app. */
const local = (url: URL) => `${url.pathname}${url.search}`;

for (const dialect of await dialects()) {
  describe(`OAuth2 sign-in over HTTP (${dialect})`, () => {
    let s: TestServer;
    let op: OidcTestProvider;
    let n = 0;
    /** Every code and state the provider handed back, to search the answers and logs for. */
    const callbacks: URL[] = [];
    before(async () => {
      [s, op] = await Promise.all([openTestServer(dialect), startOidcProvider({ redirectUris: [REDIRECT, PUBLIC_REDIRECT] })]);
      await addAccount(s.app, { name: 'ada', role: 'admin', password: ADMIN_PASSWORD }, cliPrincipal('test'));
    });
    after(() => Promise.all([s?.close(), op?.stop()]));

    async function oauthProfile(): Promise<number> {
      const created = await s.call('/api/v1/profiles', {
        json: {
          name: `signin-${++n}`,
          source: {
            protocol: 'imap', host: '127.0.0.1', port: 1, tls: 'none', auth: 'oauth2', oauthProvider: 'custom', oauthIssuer: op.issuer,
            oauthClientId: op.client.id, oauthClientSecret: op.client.secret, oauthScopes: 'openid email offline_access imap',
          },
        },
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.json.profile.source.hasClientSecret, true);
      assert.equal(created.json.profile.signIn, null);
      return created.json.profile.id as number;
    }

    async function session(): Promise<{ cookie: string; csrf: string }> {
      const answer = await s.call('/api/v1/session', { token: null, json: { name: 'ada', password: ADMIN_PASSWORD } });
      assert.equal(answer.status, 200, answer.text);
      return { cookie: answer.headers.get('set-cookie')!.split(';')[0]!, csrf: answer.json.csrfToken as string };
    }

    /** The provider's login and consent, as ALICE (or cancelled), recorded for the secrets search. */
    async function atProvider(url: string, deny = false): Promise<URL> {
      const callback = await op.signIn(url, { login: ALICE, deny });
      callbacks.push(callback);
      return callback;
    }

    test('only an admin may start a sign-in; a password profile or an unknown one is refused in words', async () => {
      const id = await oauthProfile();
      assert.equal((await s.call(`/api/v1/profiles/${id}/sign-in`, { method: 'POST', token: null })).status, 401);
      const viewer = await s.call(`/api/v1/profiles/${id}/sign-in`, { method: 'POST', token: 'viewer' });
      assert.equal(viewer.status, 403);
      const password = await s.call('/api/v1/profiles', { json: { name: `pw-${dialect}`, source: { protocol: 'imap', host: 'h', login: 'l', password: 'p' } } });
      const refused = await s.call(`/api/v1/profiles/${password.json.profile.id}/sign-in`, { method: 'POST' });
      assert.equal(refused.status, 400);
      assert.match(refused.json.error, /logs in with a password: set its access to OAuth2/);
      assert.equal((await s.call('/api/v1/profiles/999999/sign-in', { method: 'POST' })).status, 404);
    });

    test('started with an API token: the callback needs no session and ends on the "signed in" page', async () => {
      const id = await oauthProfile();
      const started = await s.call(`/api/v1/profiles/${id}/sign-in`, { method: 'POST' });
      assert.equal(started.status, 200, started.text);
      assert.equal(started.headers.get('set-cookie'), null, 'no browser to bind');
      const url = new URL(started.json.url);
      assert.equal(url.searchParams.get('redirect_uri'), REDIRECT, 'the origin the request came to');

      const landed = await s.call(local(await atProvider(started.json.url)), { token: null });
      assert.equal(landed.status, 200, landed.text);
      assert.match(landed.headers.get('content-type') ?? '', /text\/html/);
      assert.equal(landed.headers.get('cache-control'), 'no-store');
      assert.match(landed.text, new RegExp(`Signed in as ${ALICE.replace('.', '\\.')} for profile signin-\\d+`));
      assert.match(landed.text, /You can close this window/);

      const profile = await s.call(`/api/v1/profiles/${id}`);
      assert.equal(profile.json.source.login, ALICE, 'the login is filled from the ID token');
      assert.deepEqual(Object.keys(profile.json.signIn).sort(),
        ['accessExpiresAt', 'account', 'failingSince', 'hasRefreshToken', 'lastError', 'refreshedAt', 'scope', 'signedInAt', 'state']);
      assert.equal(profile.json.signIn.account, ALICE);
      assert.equal(profile.json.signIn.state, 'ok');
      assert.equal(profile.json.signIn.hasRefreshToken, true);
      const listed = await s.call('/api/v1/profiles');
      assert.equal(listed.json.profiles.find((p: { id: number }) => p.id === id).signIn.account, ALICE);
    });

    test('started from a browser session: only that browser completes it, and it lands on the profile page', async () => {
      const id = await oauthProfile();
      const { cookie, csrf } = await session();
      const started = await s.call(`/api/v1/profiles/${id}/sign-in`, { method: 'POST', token: null, cookie, headers: { 'x-csrf-token': csrf } });
      assert.equal(started.status, 200, started.text);
      const binding = started.headers.get('set-cookie') ?? '';
      assert.match(binding, /^mailbind_signin_[0-9a-f]{16}=[^;]+;/);
      assert.match(binding, /HttpOnly/);
      assert.match(binding, /SameSite=Lax/, 'Lax: it must come back on the redirect from the provider');
      assert.match(binding, /Path=\/oauth\/callback/);
      assert.match(binding, /Max-Age=600/);
      const callback = local(await atProvider(started.json.url));

      const stranger = await s.call(callback, { token: null });
      assert.equal(stranger.status, 400);
      assert.match(stranger.text, /started in another browser/);
      const otherSession = await s.call(callback, { token: null, cookie });
      assert.equal(otherSession.status, 400, 'the session cookie alone is not the binding');
      assert.equal((await s.call(`/api/v1/profiles/${id}`)).json.signIn, null, 'nothing stored');

      const landed = await s.call(callback, { token: null, cookie: `${cookie}; ${binding.split(';')[0]}` });
      assert.equal(landed.status, 303, landed.text);
      assert.equal(landed.headers.get('location'), `/settings/plugins/email-integration/${id}?signedIn=1`);
      assert.match(landed.headers.get('set-cookie') ?? '', /^mailbind_signin_[0-9a-f]{16}=;.*Max-Age=0/, 'the binding is dropped');
      assert.equal((await s.call(`/api/v1/profiles/${id}`)).json.signIn.account, ALICE);
    });

    test('unknown, replayed and expired states get a 400 page in words and store nothing', async () => {
      const unknown = await s.call('/oauth/callback?code=abc&state=nobody-started-this', { token: null });
      assert.equal(unknown.status, 400);
      assert.match(unknown.text, /Sign-in failed[\s\S]*unknown/);
      const bare = await s.call('/oauth/callback', { token: null });
      assert.equal(bare.status, 400);
      assert.match(bare.text, /no state/);

      const id = await oauthProfile();
      const used = await s.call(`/api/v1/profiles/${id}/sign-in`, { method: 'POST' });
      const usedCallback = local(await atProvider(used.json.url));
      assert.equal((await s.call(usedCallback, { token: null })).status, 200);
      const tokens = await openTokens(s.app.store.db, s.app.secrets(), id);
      const replay = await s.call(usedCallback, { token: null });
      assert.equal(replay.status, 400);
      assert.match(replay.text, /already used/);
      assert.deepEqual(await openTokens(s.app.store.db, s.app.secrets(), id), tokens, 'the replay changed nothing');

      const other = await oauthProfile();
      const late = await s.call(`/api/v1/profiles/${other}/sign-in`, { method: 'POST' });
      const lateCallback = local(await atProvider(late.json.url));
      await s.app.store.db.updateTable('oauth_sign_ins').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('profile_id', '=', other).execute();
      const expired = await s.call(lateCallback, { token: null });
      assert.equal(expired.status, 400);
      assert.match(expired.text, /expired/);
      assert.equal((await s.call(`/api/v1/profiles/${other}`)).json.signIn, null);
    });

    test("the provider's access_denied is reported: on the profile page for a browser, on the page otherwise", async () => {
      const id = await oauthProfile();
      const byToken = await s.call(`/api/v1/profiles/${id}/sign-in`, { method: 'POST' });
      const denied = await s.call(local(await atProvider(byToken.json.url, true)), { token: null });
      assert.equal(denied.status, 400);
      assert.match(denied.text, /cancelled or refused at the provider \(access_denied/);

      const { cookie, csrf } = await session();
      const byBrowser = await s.call(`/api/v1/profiles/${id}/sign-in`, { method: 'POST', token: null, cookie, headers: { 'x-csrf-token': csrf } });
      const binding = byBrowser.headers.get('set-cookie')!.split(';')[0]!;
      const back = await s.call(local(await atProvider(byBrowser.json.url, true)), { token: null, cookie: binding });
      assert.equal(back.status, 303);
      const location = new URL(back.headers.get('location')!, 'http://localhost');
      assert.equal(location.pathname, `/settings/plugins/email-integration/${id}`);
      assert.match(location.searchParams.get('signInError') ?? '', /^the sign-in was cancelled or refused at the provider \(access_denied/);
      assert.equal((await s.call(`/api/v1/profiles/${id}`)).json.signIn, null);
    });

    test("the provider's own words are escaped on the page", async () => {
      const id = await oauthProfile();
      const started = await s.call(`/api/v1/profiles/${id}/sign-in`, { method: 'POST' });
      const state = new URL(started.json.url).searchParams.get('state')!;
      const page = await s.call(`/oauth/callback?state=${state}&error=access_denied&error_description=${encodeURIComponent('<script>alert(1)</script>')}`, { token: null });
      assert.equal(page.status, 400);
      assert.doesNotMatch(page.text, /<script>/);
      assert.match(page.text, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
    });

    test('MAILBIND_PUBLIC_URL decides the redirect URI, whatever address the request came to', async () => {
      const app = assemble(s.t.store, { publicUrl: 'https://mail.example.test/mailbind/' });
      const api = createHttpApp({ app, logger: memoryLog().logger, limiter: new LoginLimiter(), lifecycle: { state: 'ready' } });
      const id = await oauthProfile();
      const answer = await api.request(`/api/v1/profiles/${id}/sign-in`, { method: 'POST', headers: { authorization: `Bearer ${s.adminToken}` } });
      assert.equal(answer.status, 200);
      const url = new URL(((await answer.json()) as { url: string }).url);
      assert.equal(url.searchParams.get('redirect_uri'), PUBLIC_REDIRECT);
    });

    test('a browser at another address than MAILBIND_PUBLIC_URL is told where to open mailbind, and nothing starts; there, it starts bound', async () => {
      // Its binding cookie would be set at the address it is at, and the provider sends it to the public one.
      const app = assemble(s.t.store, { publicUrl: 'https://mail.example.test/mailbind/' });
      const api = createHttpApp({ app, logger: memoryLog().logger, limiter: new LoginLimiter(), lifecycle: { state: 'ready' } });
      const id = await oauthProfile();
      const { cookie, csrf } = await session();
      const start = (origin?: string) =>
        api.request(`/api/v1/profiles/${id}/sign-in`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, ...(origin ? { origin } : {}) } });
      const started = () => s.app.store.db.selectFrom('oauth_sign_ins').select('state_hash').where('profile_id', '=', id).execute();

      for (const origin of ['http://localhost', 'https://mail.example.test:8443', undefined]) {
        const refused = await start(origin);
        assert.equal(refused.status, 400, `from ${origin ?? 'a request without Origin (http://localhost)'}`);
        assert.equal(((await refused.json()) as { error: string }).error, 'open mailbind at https://mail.example.test/mailbind to sign in: the provider sends the browser back there');
        assert.equal(refused.headers.get('set-cookie'), null);
      }
      assert.deepEqual(await started(), [], 'no sign-in was started');

      // The Origin a browser sends, not the Host a proxy may rewrite, is where its cookie lives.
      const there = await start('https://mail.example.test');
      assert.equal(there.status, 200);
      assert.match(there.headers.get('set-cookie') ?? '', /^mailbind_signin_[0-9a-f]{16}=/);
      assert.equal(new URL(((await there.json()) as { url: string }).url).searchParams.get('redirect_uri'), PUBLIC_REDIRECT);
      assert.equal((await started()).length, 1);

      // Without MAILBIND_PUBLIC_URL, behind a proxy that passes on another Host than the browser's.
      const proxied = await s.call(`/api/v1/profiles/${id}/sign-in`, { method: 'POST', token: null, cookie, headers: { 'x-csrf-token': csrf, origin: 'https://help.example.com' } });
      assert.equal(proxied.status, 400);
      assert.equal(proxied.json.error,
        'open mailbind at http://localhost to sign in: the provider sends the browser back there; if people open mailbind at https://help.example.com, set MAILBIND_PUBLIC_URL to that address');
    });

    test('no client secret, token, code or state in any answer (but the address to open) or log line', async () => {
      const id = await oauthProfile();
      const started = await s.call(`/api/v1/profiles/${id}/sign-in`, { method: 'POST' });
      await s.call(local(await atProvider(started.json.url)), { token: null });
      await s.call(`/api/v1/profiles/${id}`);
      await s.call('/api/v1/profiles');
      await s.call('/api/v1/audit');
      const tokens = (await s.app.store.db.selectFrom('oauth_tokens').select('profile_id').execute())
        .map((row) => Number(row.profile_id));
      const secrets: Array<[string, string]> = [['the client secret', op.client.secret]];
      for (const profileId of tokens) {
        const open = await openTokens(s.app.store.db, s.app.secrets(), profileId);
        secrets.push([`profile ${profileId}'s access token`, open!.accessToken]);
        if (open!.refreshToken) secrets.push([`profile ${profileId}'s refresh token`, open!.refreshToken]);
      }
      assert.ok(secrets.length >= 5, 'several profiles signed in');
      for (const callback of callbacks) {
        const code = callback.searchParams.get('code');
        if (code) secrets.push(['an authorization code', code]);
        secrets.push(['a state', callback.searchParams.get('state')!]);
      }
      const text = (a: Answer) => a.text + '\n' + [...a.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
      // The answer that starts a sign-in carries its state in the provider's address: that is its job.
      const answers = s.answers.filter((a) => !(a.json && typeof a.json.url === 'string')).map(text);
      const logLines = s.log.records.map((r) => JSON.stringify(r));
      for (const [what, secret] of secrets) {
        assert.equal(answers.filter((a) => a.includes(secret)).length, 0, `${what} appears in an answer`);
        assert.equal(logLines.filter((l) => l.includes(secret)).length, 0, `${what} appears in the log`);
      }
      const logged = s.log.find('request').filter((r) => r.path === '/oauth/callback');
      assert.ok(logged.length >= 5, 'the callbacks were logged (without their query)');
      assert.ok(s.log.find('signed in').length >= 3, 'sign-ins are logged, by profile and account');
    });
  });
}
