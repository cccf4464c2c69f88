// The OAuth2 test harness end to end: openid-client signs in at a real OpenID provider on loopback
// (test/support/oidc-provider.ts) with authorization code + PKCE, and Dovecot checks the access tokens
// against that provider's introspection endpoint (test/support/dovecot.ts `oauth2`). imapflow and our POP3
// client log in with them; wrong, expired, revoked and rotated-away tokens are refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import * as oidc from 'openid-client';
import { Pop3Client, Pop3Error } from '../../../src/sources/pop3/index.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { startOidcProvider, type OidcProviderOptions, type OidcTestProvider } from '../../support/oidc-provider.js';
import { waitFor } from '../../support/wait.js';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const REDIRECT = 'http://127.0.0.1/callback';
const MAIL_SCOPE = 'openid email offline_access imap';

type Tokens = Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

describe('OAuth2 harness: oidc-provider tokens accepted by Dovecot', { skip: dovecotSkip() }, () => {
  let op: OidcTestProvider;
  let dc: Dovecot;
  let scoped: Dovecot; // requires the imap scope
  let config: oidc.Configuration;

  before(async () => {
    op = await startOidcProvider({ accessTokenTtlSeconds: 3, accounts: [{ id: ALICE }, { id: BOB }] });
    const users = [{ user: ALICE, password: 'alicepw' }, { user: BOB, password: 'bobpw' }];
    [dc, scoped] = await Promise.all([
      startDovecot({ users, oauth2: { introspectionUrl: op.introspectionUrl } }),
      startDovecot({ users, oauth2: { introspectionUrl: op.introspectionUrl, requiredScope: 'imap' } }),
    ]);
    await dc.deliver(ALICE, 'Subject: hello\r\n\r\nhi\r\n');
    config = await oidc.discovery(new URL(op.issuer), op.client.id, undefined, oidc.ClientSecretBasic(op.client.secret),
      { execute: [oidc.allowInsecureRequests] });
  });
  after(() => Promise.all([op?.stop(), dc?.stop(), scoped?.stop()]));

  /** A whole sign-in as the product does it: authorization URL, the provider's pages, code exchange. */
  async function signIn(login = ALICE, scope = MAIL_SCOPE, cfg = config): Promise<Tokens> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: REDIRECT, scope, prompt: 'consent', state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const callback = await op.signIn(url, { login });
    return oidc.authorizationCodeGrant(cfg, callback, { pkceCodeVerifier: verifier, expectedState: state });
  }

  async function imapLogin(dovecot: Dovecot, user: string, auth: { accessToken: string } | { pass: string }): Promise<number> {
    const imap = new ImapFlow({
      host: dovecot.host, port: dovecot.ports.imaps, secure: true, tls: { ca: dovecot.caCert }, logger: false, auth: { user, ...auth },
    });
    imap.on('error', () => {}); // a refused login also rejects connect(); this only keeps the event from throwing
    await imap.connect();
    try {
      const box = await imap.mailboxOpen('INBOX');
      return box.exists;
    } finally {
      await imap.logout();
    }
  }

  /**
   * Runs `login`, which must be refused as an authentication failure, and waits for Dovecot's auth log
   * (auth_verbose) to give `reason` for it, so a refusal for another reason (a broken setup) fails.
   */
  async function refused(dovecot: Dovecot, login: () => Promise<unknown>, reason: RegExp): Promise<void> {
    const mark = (await dovecot.log()).length;
    const err = await rejection(login());
    const authFailure = err instanceof Pop3Error ? err.step === 'auth' : (err as { authenticationFailed?: boolean }).authenticationFailed;
    assert.ok(authFailure, `expected an authentication failure, got ${String(err)}`);
    await waitFor(async () => reason.test((await dovecot.log()).slice(mark)), {
      what: async () => `Dovecot to log ${reason}; it logged:\n${(await dovecot.log()).slice(mark)}`,
      timeoutMs: 5_000,
    });
  }

  const pop3Login = (user: string, accessToken: string) =>
    Pop3Client.connect({ host: dc.host, port: dc.ports.pop3, tls: 'none', login: user, accessToken, timeoutMs: 10_000 });

  test('sign-in with code + PKCE gives an ID token with the email, a refresh token and an opaque access token', async () => {
    const tokens = await signIn();
    assert.equal(tokens.claims()?.email, ALICE);
    assert.equal(tokens.claims()?.sub, ALICE);
    assert.deepEqual(tokens.scope?.split(' ').sort(), MAIL_SCOPE.split(' ').sort());
    assert.ok(tokens.refresh_token, 'offline_access with prompt=consent gives a refresh token');
    assert.equal(tokens.expires_in, 3);
    assert.doesNotMatch(tokens.access_token, /\./, 'opaque, not a JWT');
    const answer = await op.introspect(tokens.access_token);
    assert.equal(answer.active, true);
    assert.equal(answer.email, ALICE);
    assert.equal(answer.client_id, op.client.id);
  });

  test('(a) imapflow logs in to Dovecot with the access token and sees INBOX', async () => {
    const { access_token } = await signIn();
    assert.equal(await imapLogin(dc, ALICE, { accessToken: access_token }), 1);
    assert.match(await dc.log(), /imap-login: Info: Login: user=<alice@example\.test>, method=(OAUTHBEARER|XOAUTH2)/);
  });

  test('(b) our POP3 client logs in with AUTH XOAUTH2', async () => {
    const { access_token } = await signIn();
    const pop3 = await pop3Login(ALICE, access_token);
    assert.equal(pop3.authMechanism, 'XOAUTH2');
    assert.equal((await pop3.stat()).count, 1);
    await pop3.quit();
    assert.match(await dc.log(), /pop3-login: Info: Login: user=<alice@example\.test>, method=XOAUTH2/);
  });

  test('(c) a wrong token, another account\'s token and an expired token are refused; passwords still work', async () => {
    const { access_token } = await signIn();
    // First, while the 3 s token surely lives: the login name must be the token's account.
    await refused(dc, () => imapLogin(dc, BOB, { accessToken: access_token }),
      /Introspection failed: Username 'bob@example\.test' did not match 'alice@example\.test'/);
    const invalid = /oauth2 failed: Introspection failed: Provided token is not valid/;
    await refused(dc, () => imapLogin(dc, ALICE, { accessToken: `${access_token}x` }), invalid);
    await refused(dc, () => pop3Login(ALICE, 'not-a-token'), invalid);
    assert.equal(await imapLogin(dc, ALICE, { pass: 'alicepw' }), 1);

    // Expiry: wait until the provider itself calls the token inactive (its TTL is 3 s), then log in.
    await waitFor(async () => !(await op.introspect(access_token)).active, { what: 'the access token to expire', timeoutMs: 10_000, intervalMs: 200 });
    await refused(dc, () => imapLogin(dc, ALICE, { accessToken: access_token }), invalid);
    await refused(dc, () => pop3Login(ALICE, access_token), invalid);
  });

  test('(d) after revokeGrantsOf the refresh fails with invalid_grant and the access token is dead', async () => {
    const tokens = await signIn();
    const failed = op.failedRefreshGrants();
    assert.ok((await op.revokeGrantsOf(ALICE)) >= 1);
    const err = await rejection(oidc.refreshTokenGrant(config, tokens.refresh_token!));
    assert.ok(err instanceof oidc.ResponseBodyError, String(err));
    assert.equal(err.error, 'invalid_grant');
    assert.equal(op.failedRefreshGrants(), failed + 1);
    assert.equal((await op.introspect(tokens.access_token)).active, false);
    await refused(dc, () => imapLogin(dc, ALICE, { accessToken: tokens.access_token }), /Provided token is not valid/);
  });

  test('(e) with rotation a refresh gives a working token and the old refresh token is refused', async () => {
    const tokens = await signIn();
    const ok = op.refreshGrants();
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(op.refreshGrants(), ok + 1);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, 'a new refresh token');
    assert.equal(await imapLogin(dc, ALICE, { accessToken: refreshed.access_token }), 1);

    const failed = op.failedRefreshGrants();
    const err = await rejection(oidc.refreshTokenGrant(config, tokens.refresh_token!));
    assert.ok(err instanceof oidc.ResponseBodyError, String(err));
    assert.equal(err.error, 'invalid_grant');
    assert.equal(op.failedRefreshGrants(), failed + 1);
    assert.equal(op.refreshGrants(), ok + 1);
  });

  test('Dovecot with a required scope refuses a token granted without it', async () => {
    const withImap = await signIn();
    assert.equal(await imapLogin(scoped, ALICE, { accessToken: withImap.access_token }), 0);
    const without = await signIn(ALICE, 'openid email offline_access pop');
    await refused(scoped, () => imapLogin(scoped, ALICE, { accessToken: without.access_token }), /Token is not valid for scope 'imap'/);
  });

  test('signIn: Cancel on the consent page redirects with access_denied; an unknown login is named', async () => {
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: MAIL_SCOPE, prompt: 'consent', state: 's1',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    const denied = await op.signIn(url, { login: ALICE, deny: true });
    assert.equal(`${denied.origin}${denied.pathname}`, REDIRECT);
    assert.equal(denied.searchParams.get('error'), 'access_denied');
    assert.equal(denied.searchParams.get('state'), 's1');
    await assert.rejects(op.signIn(url, { login: 'mallory@example.test' }), /mallory@example\.test is not an account of this provider \(its accounts: alice@example\.test, bob@example\.test\)/);
  });

  test('the public client signs in with PKCE alone, at redirect URIs set after start', async () => {
    const other = 'http://127.0.0.1:8765/oauth/callback';
    await op.setRedirectUris([other]);
    try {
      const pub = await oidc.discovery(new URL(op.issuer), op.publicClient.id, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(pub, {
        redirect_uri: other, scope: MAIL_SCOPE, prompt: 'consent',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      const callback = await op.signIn(url, { login: ALICE });
      const tokens = await oidc.authorizationCodeGrant(pub, callback, { pkceCodeVerifier: verifier });
      assert.equal((await op.introspect(tokens.access_token)).client_id, op.publicClient.id);
      // The old redirect URI is no longer registered: the provider shows its error page.
      const stale = oidc.buildAuthorizationUrl(pub, {
        redirect_uri: REDIRECT, scope: MAIL_SCOPE, prompt: 'consent',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      await assert.rejects(op.signIn(stale, { login: ALICE }), /HTTP 400 \(error: invalid_redirect_uri/);
    } finally {
      await op.setRedirectUris([REDIRECT]);
    }
  });
});

describe('OAuth2 harness: provider options', () => {
  const providers: OidcTestProvider[] = [];
  after(() => Promise.all(providers.map((p) => p.stop())));

  /** Starts a provider with `options` and signs alice in at its confidential client. */
  async function signInAt(options: OidcProviderOptions): Promise<{ op: OidcTestProvider; config: oidc.Configuration; tokens: Tokens }> {
    const op = await startOidcProvider(options);
    providers.push(op);
    const config = await oidc.discovery(new URL(op.issuer), op.client.id, undefined, oidc.ClientSecretBasic(op.client.secret),
      { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: MAIL_SCOPE, prompt: 'consent',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const tokens = await oidc.authorizationCodeGrant(config, await op.signIn(url, { login: ALICE }), { pkceCodeVerifier: verifier });
    return { op, config, tokens };
  }

  test('withheldScopes and issueRefreshTokens: false: the token response lacks the scope and a refresh token', async () => {
    const { op, tokens } = await signInAt({ withheldScopes: ['imap'], issueRefreshTokens: false });
    assert.deepEqual(tokens.scope?.split(' ').sort(), ['email', 'offline_access', 'openid']);
    assert.equal(tokens.refresh_token, undefined);
    assert.equal((await op.introspect(tokens.access_token)).active, true);
  });

  test('refreshTokenRotation: false keeps the refresh token usable after a refresh', async () => {
    const { op, config, tokens } = await signInAt({ refreshTokenRotation: false });
    const first = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(first.refresh_token, tokens.refresh_token);
    await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(op.refreshGrants(), 2);
    assert.equal(op.failedRefreshGrants(), 0);
  });
});
