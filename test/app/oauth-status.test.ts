// Status of an OAuth2 mailbox's sign-in (profileStatuses, as `mailbind profile status` and the status API
// show it): the account and when its token was refreshed; a failing refresh with how long the access
// token still works; a stopped sign-in with its reason and "sign in again"; "not signed in" with the
// command that signs in. States are driven through the token store as the refresher writes them; no
// token ever appears in what status returns.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, type App } from '../../src/app/app.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { profileStatuses } from '../../src/app/status.js';
import { saveSignIn, signInStatus, storeRefreshed, takeRefreshLease } from '../../src/store/oauth-tokens.js';
import { destinationOf, recordFailureNow } from '../support/sign-in-rows.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const ACCESS = 'access-Marker-5vq01xk';
const REFRESH = 'refresh-Marker-pp2k7wz';
const REFRESHED = 'access-Marker-refreshed-88sd';
const HOUR = 3_600_000;
const inAnHour = () => new Date(Date.now() + HOUR).toISOString();

for (const dialect of await dialects()) {
  describe(`sign-in status (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    let mailbox: { id: number; name: string };
    let plain: { id: number; name: string };

    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store);
      const oauth = { protocol: 'imap' as const, auth: 'oauth2' as const, oauthProvider: 'google' as const, oauthClientId: 'client-1', oauthClientSecret: 'cs-Marker-0a9' };
      mailbox = (await createProfile(app, { name: 'gmail-box', source: oauth }, cliPrincipal('test'))).profile;
      const password = { protocol: 'imap' as const, host: 'mail.example', login: 'bob', password: 'pw' };
      plain = (await createProfile(app, { name: 'plain', source: password }, cliPrincipal('test'))).profile;
    });
    after(() => t.cleanup());

    const statusOf = async (p: { id: number }) => (await profileStatuses(app, p.id))[0]!;
    const signIn = async (tokens: { accessExpiresAt?: string; refreshToken?: string | null } = {}) =>
      saveSignIn(t.store.db, app.secrets(), mailbox.id, {
        destination: await destinationOf(t.store.db, mailbox.id),
        account: 'alice@example.test',
        subject: 'sub-1',
        accessToken: ACCESS,
        accessExpiresAt: tokens.accessExpiresAt ?? inAnHour(),
        refreshToken: tokens.refreshToken === undefined ? REFRESH : tokens.refreshToken,
        scope: 'openid email https://mail.google.com/',
      });

    test('an OAuth2 mailbox not signed in says so with the command that signs it in; a password mailbox has no sign-in', async () => {
      const status = await statusOf(mailbox);
      assert.equal(status.signIn, null);
      assert.equal(status.signInSummary, 'not signed in: sign in from the profile page or with `mailbind profile signin gmail-box`');
      const other = await statusOf(plain);
      assert.equal(other.signIn, null);
      assert.equal(other.signInSummary, null);
    });

    test('signed in: the account, since when, then when the token was refreshed; never a token', async () => {
      await signIn();
      let status = await statusOf(mailbox);
      const signedInAt = status.signIn!.signedInAt;
      assert.deepEqual(status.signIn, {
        account: 'alice@example.test',
        state: 'ok',
        signedInAt,
        refreshedAt: null,
        accessExpiresAt: status.signIn!.accessExpiresAt,
        hasRefreshToken: true,
        scope: 'openid email https://mail.google.com/',
        lastError: null,
        failingSince: null,
      });
      assert.ok(Math.abs(Date.parse(signedInAt) - Date.now()) < 60_000, signedInAt);
      assert.equal(status.signInSummary, `signed in as alice@example.test since ${signedInAt}`);

      assert.ok(await takeRefreshLease(t.store.db, mailbox.id, 'test-refresher', 60_000));
      assert.ok(await storeRefreshed(t.store.db, app.secrets(), mailbox.id, 'test-refresher', { accessToken: REFRESHED, accessExpiresAt: inAnHour() }));
      status = await statusOf(mailbox);
      assert.ok(status.signIn!.refreshedAt);
      assert.equal(status.signInSummary, `signed in as alice@example.test, token refreshed ${status.signIn!.refreshedAt}`);

      const all = JSON.stringify(await profileStatuses(app));
      for (const secret of [ACCESS, REFRESH, REFRESHED, 'cs-Marker-0a9']) assert.ok(!all.includes(secret), `status holds ${secret}`);
    });

    test('a refresh failing while the access token works: since when, until when it works, and why', async () => {
      await signIn();
      const error = 'cannot reach the provider while refreshing the access token: ECONNREFUSED';
      await recordFailureNow(t.store.db, mailbox.id, { error, stopped: false });
      await recordFailureNow(t.store.db, mailbox.id, { error, stopped: false });
      const status = await statusOf(mailbox);
      const { failingSince, accessExpiresAt } = status.signIn!;
      assert.equal(status.signIn!.state, 'failing');
      assert.ok(failingSince);
      assert.equal(status.signInSummary, `refresh failing since ${failingSince} (the access token still works until ${accessExpiresAt}): ${error}`);
    });

    test('a refresh failing after the access token expired says that polls fail until it works', async () => {
      const expired = new Date(Date.now() - 5 * 60_000).toISOString();
      await signIn({ accessExpiresAt: expired });
      await recordFailureNow(t.store.db, mailbox.id, { error: 'the provider did not answer within 30 s while refreshing the access token', stopped: false });
      const status = await statusOf(mailbox);
      assert.equal(
        status.signInSummary,
        `refresh failing since ${status.signIn!.failingSince} (the access token expired at ${expired}; polls fail until a refresh works): ` +
          'the provider did not answer within 30 s while refreshing the access token',
      );
    });

    test('stopped: the last error and "sign in again", said once', async () => {
      await signIn();
      const revoked = 'the refresh token was revoked or has expired — sign in again (the provider said invalid_grant)';
      await recordFailureNow(t.store.db, mailbox.id, { error: revoked, stopped: true });
      assert.equal((await statusOf(mailbox)).signInSummary, `stopped: ${revoked}`);

      await signIn();
      const refused = 'the mail server refused the access token even after a refresh (NO [AUTHENTICATIONFAILED])';
      await recordFailureNow(t.store.db, mailbox.id, { error: refused, stopped: true, code: 'refused' });
      const status = await statusOf(mailbox);
      assert.equal(status.signIn!.state, 'stopped');
      assert.equal(status.signIn!.lastError, refused);
      assert.equal(status.signInSummary, `stopped: ${refused} — sign in again`);
    });

    test("stopped because the provider refused the app: what to fix in the profile, not \"sign in again\" (a new secret keeps the sign-in)", async () => {
      await signIn();
      const app = 'the provider refused the app: check the client ID and client secret in the profile (invalid_client)';
      await recordFailureNow(t.store.db, mailbox.id, { error: app, stopped: true, code: 'invalid_client' });
      assert.equal((await statusOf(mailbox)).signInSummary, `stopped: ${app}`);
    });

    test('signed in without a refresh token: says when the sign-in ends and where to read why', async () => {
      await signIn({ refreshToken: null });
      const status = await statusOf(mailbox);
      assert.equal(status.signIn!.hasRefreshToken, false);
      assert.equal(
        status.signInSummary,
        `signed in as alice@example.test since ${status.signIn!.signedInAt}; no refresh token was issued, so the sign-in ends when the ` +
          `access token expires at ${status.signIn!.accessExpiresAt} (see docs/oauth.md)`,
      );
    });

    test('the sign-in status store read agrees with the view (every field but the internal ones)', async () => {
      await signIn();
      const stored = (await signInStatus(t.store.db, mailbox.id))!;
      const { profileId, refreshFailures, lastErrorCode, ...shown } = stored;
      assert.equal(profileId, mailbox.id);
      assert.equal(refreshFailures, 0);
      assert.equal(lastErrorCode, null, 'said through the summary only');
      assert.deepEqual((await statusOf(mailbox)).signIn, shown);
    });
  });
}
