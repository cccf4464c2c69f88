// The sign-in use case (app/oauth-sign-in.ts) against a real OpenID provider on loopback
// (test/support/oidc-provider.ts), on both databases: the login filled from the ID token, the tokens
// sealed and good at the provider, an audit entry without a token; and every way it must not work —
// a replayed or expired state, another browser, another account than the mailbox's, the person
// cancelling at the provider, a password profile — each said in words and storing nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assemble, type App } from '../../src/app/app.js';
import { readAudit } from '../../src/app/audit.js';
import { AppError } from '../../src/app/errors.js';
import { completeSignIn, SignInFailed, signInNotes, startSignIn, type StartSignIn } from '../../src/app/oauth-sign-in.js';
import { waitForSignIn } from '../../src/app/oauth-sign-in-wait.js';
import { cliPrincipal, type Principal } from '../../src/app/principal.js';
import { createProfile, showProfile, updateProfile } from '../../src/app/profiles.js';
import { signInDestination } from '../../src/sources/profile-settings.js';
import { validateSettings } from '../../src/sources/settings.js';
import { findSignIn } from '../../src/store/oauth-sign-ins.js';
import { getProfile } from '../../src/store/profiles.js';
import { openTokens, saveSignIn, signInStatus } from '../../src/store/oauth-tokens.js';
import { startOidcProvider, type OidcTestProvider } from '../support/oidc-provider.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const REDIRECT = 'http://localhost:8080/oauth/callback';
const admin: Principal = { kind: 'account', name: 'ada', role: 'admin', accountId: 1 };

/** The error a promise rejects with, which must be a SignInFailed. */
async function failure(work: Promise<unknown>): Promise<SignInFailed> {
  const error = await work.then(() => assert.fail('expected the sign-in to fail'), (e: unknown) => e);
  assert.ok(error instanceof SignInFailed, String(error));
  return error;
}

for (const dialect of await dialects()) {
  describe(`OAuth2 sign-in (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    let op: OidcTestProvider;
    let n = 0;
    before(async () => {
      [t, op] = await Promise.all([openTestStore(dialect), startOidcProvider({ accounts: [{ id: ALICE }, { id: BOB }], redirectUris: [REDIRECT] })]);
      app = assemble(t.store);
    });
    after(() => Promise.all([t?.cleanup(), op?.stop()]));

    /** A new OAuth2 profile at the test provider; `source` overrides its settings. */
    async function oauthProfile(source: Record<string, unknown> = {}, provider = op): Promise<{ id: number; name: string }> {
      const name = `mailbox-${++n}`;
      const saved = await createProfile(app, {
        name,
        source: {
          protocol: 'imap', host: '127.0.0.1', port: 1, tls: 'none',
          auth: 'oauth2', oauthProvider: 'custom', oauthIssuer: provider.issuer, oauthClientId: provider.client.id,
          oauthClientSecret: provider.client.secret, oauthScopes: 'openid email offline_access imap',
          ...source,
        },
      }, cliPrincipal('setup'));
      return { id: saved.profile.id, name };
    }

    const cli = (extra: Partial<StartSignIn> = {}): StartSignIn => ({ via: 'cli', principal: admin, redirectUri: REDIRECT, ...extra });

    test('signs in: the login is filled from the ID token, the tokens are sealed and work, the audit names no token', async () => {
      const profile = await oauthProfile();
      const started = await startSignIn(app, profile.name, cli());
      const url = new URL(started.url);
      assert.equal(url.origin, op.issuer);
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(url.searchParams.get('prompt'), 'consent');
      assert.equal(url.searchParams.get('redirect_uri'), REDIRECT);
      assert.equal(url.searchParams.get('login_hint'), null, 'no login to hint at yet');

      const done = await completeSignIn(app, await op.signIn(started.url, { login: ALICE }));
      assert.deepEqual({ ...done, notes: [] }, { profileId: profile.id, profileName: profile.name, account: ALICE, via: 'cli', loginFilled: true, notes: [] });
      assert.deepEqual(done.notes, []);

      const view = await showProfile(app, profile.id);
      assert.equal(view.source?.login, ALICE);
      assert.equal(view.signIn?.account, ALICE);
      assert.equal(view.signIn?.state, 'ok');
      assert.equal(view.signIn?.hasRefreshToken, true);
      assert.match(view.signIn?.scope ?? '', /\bimap\b/);

      const tokens = await openTokens(app.store.db, app.secrets(), profile.id);
      assert.equal((await op.introspect(tokens!.accessToken)).active, true, 'the stored access token is good at the provider');
      const row = JSON.stringify(await app.store.db.selectFrom('oauth_tokens').selectAll().where('profile_id', '=', profile.id).execute());
      assert.ok(!row.includes(tokens!.accessToken) && !row.includes(tokens!.refreshToken!), 'tokens are sealed at rest');

      const entry = (await readAudit(app)).entries.find((e) => e.action === 'profile.signin' && e.target === `profile ${profile.name}`);
      assert.deepEqual(entry?.details, { id: profile.id, account: ALICE, via: 'cli', loginFilled: true });
      assert.equal(entry?.actor, 'ada');
      assert.equal((await findSignIn(app.store.db, started.id))?.account, ALICE, 'a waiting CLI reads the outcome');
    });

    test('a replayed callback is refused and changes nothing', async () => {
      const profile = await oauthProfile();
      const started = await startSignIn(app, profile.name, cli());
      const callback = await op.signIn(started.url, { login: ALICE });
      await completeSignIn(app, callback);
      const before = await openTokens(app.store.db, app.secrets(), profile.id);
      const replay = await failure(completeSignIn(app, callback));
      assert.match(replay.message, /already used/);
      assert.equal(replay.at.taken, false);
      assert.deepEqual(await openTokens(app.store.db, app.secrets(), profile.id), before);
    });

    test('an unknown state, an address without one, and an expired sign-in are refused in words', async () => {
      assert.match((await failure(completeSignIn(app, `${REDIRECT}?code=abc&state=made-up`))).message, /unknown/);
      assert.match((await failure(completeSignIn(app, `${REDIRECT}?code=abc`))).message, /no state/);
      const profile = await oauthProfile();
      const started = await startSignIn(app, profile.name, cli());
      const callback = await op.signIn(started.url, { login: ALICE });
      await app.store.db.updateTable('oauth_sign_ins').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('state_hash', '=', started.id).execute();
      const expired = await failure(completeSignIn(app, callback));
      assert.match(expired.message, /expired .*10 minutes/);
      assert.equal(await signInStatus(app.store.db, profile.id), null, 'nothing stored');
    });

    test('a web sign-in completes only in the browser that started it', async () => {
      const profile = await oauthProfile();
      const started = await startSignIn(app, profile.name, cli({ via: 'web', browserSecret: 'browser-a-secret' }));
      const callback = await op.signIn(started.url, { login: ALICE });
      for (const options of [{}, { browserSecret: 'browser-b-secret' }]) {
        const refused = await failure(completeSignIn(app, callback, options));
        assert.match(refused.message, /started in another browser/);
        assert.equal(refused.at.taken, false);
      }
      assert.equal(await signInStatus(app.store.db, profile.id), null, 'nothing stored');
      const done = await completeSignIn(app, callback, { browserSecret: 'browser-a-secret' });
      assert.equal(done.via, 'web');
      assert.equal(done.account, ALICE);
    });

    test('how each provider is asked for a refresh token: consent at Google and custom providers, account choice at Microsoft', async () => {
      const asked = async (source: Record<string, unknown>) => new URL((await startSignIn(app, (await oauthProfile(source)).name, cli())).url).searchParams;
      const custom = await asked({});
      assert.equal(custom.get('prompt'), 'consent');
      // The presets, their issuer pointed at the test provider as a tenant's own issuer would be.
      const google = await asked({ oauthProvider: 'google' });
      assert.equal(google.get('prompt'), 'consent');
      assert.equal(google.get('access_type'), 'offline');
      const microsoft = await asked({ oauthProvider: 'microsoft' });
      assert.equal(microsoft.get('prompt'), 'select_account', 'prompt=consent makes tenants without user consent ask for admin approval');
      assert.equal(microsoft.get('access_type'), null);
      assert.ok(microsoft.get('scope')?.split(' ').includes('offline_access'));
    });

    test('another account than the mailbox is taken for a shared mailbox, said in a note', async () => {
      const profile = await oauthProfile({ login: BOB });
      const started = await startSignIn(app, profile.name, cli());
      const done = await completeSignIn(app, await op.signIn(started.url, { login: ALICE }));
      assert.equal(done.account, ALICE);
      assert.equal(done.loginFilled, false);
      assert.ok(done.notes.some((n) => n === `signed in as ${ALICE} to read the mailbox ${BOB}: this works for a Microsoft 365 shared mailbox the account has Full Access to; otherwise sign in with ${BOB}'s account`), done.notes.join('; '));
      assert.equal((await showProfile(app, profile.id)).source?.login, BOB, 'the mailbox stays the one set');
      assert.equal((await signInStatus(app.store.db, profile.id))?.account, ALICE);
    });

    test('at Google, another account than the mailbox is refused and stores nothing (Gmail opens only its own mailbox)', async () => {
      // The Google preset, its issuer pointed at the test provider (as a tenant's own issuer would be).
      const profile = await oauthProfile({ login: BOB, oauthProvider: 'google', host: '127.0.0.1' });
      const started = await startSignIn(app, profile.name, cli());
      assert.equal(new URL(started.url).searchParams.get('login_hint'), BOB, 'the provider is told which account to use');
      const refused = await failure(completeSignIn(app, await op.signIn(started.url, { login: ALICE })));
      assert.equal(refused.message, `signed in as ${ALICE}, but the mailbox is ${BOB}: sign in with ${BOB}'s account (or change the profile's login first)`);
      assert.equal(refused.at.taken, true);
      assert.equal(await signInStatus(app.store.db, profile.id), null);
      assert.equal((await showProfile(app, profile.id)).source?.login, BOB);
      assert.equal((await findSignIn(app.store.db, started.id))?.error, refused.message, 'a waiting CLI reads why');

      const again = await startSignIn(app, profile.name, cli());
      const done = await completeSignIn(app, await op.signIn(again.url, { login: BOB }));
      assert.equal(done.loginFilled, false);
      assert.equal(done.account, BOB);
    });

    test("the provider's access_denied is reported and stores nothing", async () => {
      const profile = await oauthProfile();
      const started = await startSignIn(app, profile.name, cli());
      const callback = await op.signIn(started.url, { login: ALICE, deny: true });
      assert.equal(callback.searchParams.get('error'), 'access_denied');
      const refused = await failure(completeSignIn(app, callback));
      assert.match(refused.message, /^the sign-in was cancelled or refused at the provider \(access_denied/);
      assert.equal(await signInStatus(app.store.db, profile.id), null);
      assert.equal((await showProfile(app, profile.id)).source?.login, undefined);
    });

    test("a sign-in under way ends when the profile's provider, app or mailbox changes, and its callback says so", async () => {
      const profile = await oauthProfile();
      const started = await startSignIn(app, profile.name, cli());
      const callback = await op.signIn(started.url, { login: ALICE });
      const waiting = waitForSignIn(app, started.id);
      // The code would be exchanged with the app as it is now, and the tokens sent to the new server.
      const saved = await updateProfile(app, profile.id, { source: { host: 'imap.example.test' } }, cliPrincipal('admin'));
      assert.deepEqual(saved.notes, []);
      const refused = await failure(completeSignIn(app, callback));
      assert.equal(refused.message, "this sign-in has ended: the sign-in was cancelled, as the profile's provider, app or mailbox changed while it was under way; start it again");
      assert.equal(refused.at.taken, false);
      assert.equal(await signInStatus(app.store.db, profile.id), null, 'nothing stored');
      assert.match((await failure(waiting)).message, /^the sign-in was cancelled, as the profile's provider, app or mailbox changed/, 'a waiting CLI says why');

      // A change that keeps where the sign-in goes (the folder) leaves it be.
      const again = await startSignIn(app, profile.name, cli());
      const back = await op.signIn(again.url, { login: ALICE });
      await updateProfile(app, profile.id, { source: { folder: 'Support' } }, cliPrincipal('admin'));
      assert.equal((await completeSignIn(app, back)).account, ALICE);
    });

    test('a password profile cannot sign in, and says what to set', async () => {
      await createProfile(app, { name: `pw-${dialect}`, source: { protocol: 'imap', host: 'h', login: 'l', password: 'p' } }, cliPrincipal('setup'));
      const refused = await startSignIn(app, `pw-${dialect}`, cli()).then(() => assert.fail('started'), (e: unknown) => e);
      assert.ok(refused instanceof AppError);
      assert.equal(refused.category, 'user');
      assert.match(refused.message, /logs in with a password: set its access to OAuth2/);
    });

    test('waitForSignIn: the account once completed, the reason once failed, and stops when aborted', async () => {
      const profile = await oauthProfile();
      const ok = await startSignIn(app, profile.name, cli());
      const waiting = waitForSignIn(app, ok.id);
      await completeSignIn(app, await op.signIn(ok.url, { login: ALICE }));
      assert.deepEqual(await waiting, { account: ALICE, profileId: profile.id });

      const denied = await startSignIn(app, profile.name, cli());
      const waitingDenied = waitForSignIn(app, denied.id);
      await completeSignIn(app, await op.signIn(denied.url, { login: ALICE, deny: true })).catch(() => {});
      assert.match((await failure(waitingDenied)).message, /access_denied/);

      const abandoned = await startSignIn(app, profile.name, cli());
      const controller = new AbortController();
      const waitingAbandoned = waitForSignIn(app, abandoned.id, controller.signal);
      controller.abort(new Error('cancelled by the test'));
      await assert.rejects(waitingAbandoned, /cancelled by the test/);
    });

    test('notes when the provider grants no refresh token or withholds the mail scope', async () => {
      const stingy = await startOidcProvider({ issueRefreshTokens: false, withheldScopes: ['imap'], redirectUris: [REDIRECT] });
      try {
        const profile = await oauthProfile({}, stingy);
        const started = await startSignIn(app, profile.name, cli());
        const done = await completeSignIn(app, await stingy.signIn(started.url, { login: ALICE }));
        assert.equal(done.notes.length, 2, done.notes.join('\n'));
        assert.match(done.notes[0]!, /did not grant imap/);
        assert.match(done.notes[1]!, /no refresh token was issued/);
        assert.equal((await showProfile(app, profile.id)).signIn?.hasRefreshToken, false);
      } finally {
        await stingy.stop();
      }
    });

    test('the notes compare the granted scopes without case: a provider echoing its own spelling granted them', async () => {
      const profile = await oauthProfile();
      const destination = signInDestination(validateSettings((await getProfile(app.store.db, profile.id)).source));
      const granted = (scope: string) => saveSignIn(app.store.db, app.secrets(), profile.id, {
        account: ALICE, subject: 'sub', accessToken: 'at', accessExpiresAt: new Date(Date.now() + 3600_000).toISOString(), refreshToken: 'rt', scope, destination,
      });
      // Microsoft answers scope URLs in its own spelling; Check Connection already compares without case.
      await granted('openid email offline_access IMAP');
      assert.deepEqual(await signInNotes(app, profile.id), []);
      await granted('openid email offline_access');
      assert.match((await signInNotes(app, profile.id)).join('\n'), /did not grant imap/, 'a scope really missing is still said');
    });
  });
}
