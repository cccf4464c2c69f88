// Sign-in trouble as it really happens, at a real OpenID provider on loopback (test/support/oidc-provider.ts):
// signed in through the sign-in use case, then the user removes the app's access at the provider (the
// next refresh is refused: stopped, "sign in again"), or the provider cannot be reached while the access
// token still works ("about to stop working"). Status says it, the alert webhook gets it once, a new
// sign-in clears it; the real tokens appear in none of it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AlertMonitor, type Alert } from '../../src/app/alerts.js';
import { assemble, type App } from '../../src/app/app.js';
import { completeSignIn, startSignIn } from '../../src/app/oauth-sign-in.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { profileStatuses } from '../../src/app/status.js';
import { accessTokenFor } from '../../src/sources/oauth/access-tokens.js';
import { oauthAppOf } from '../../src/sources/oauth/app.js';
import { OAuthError } from '../../src/sources/oauth/client.js';
import { validateSettings } from '../../src/sources/settings.js';
import { openTokens } from '../../src/store/oauth-tokens.js';
import { getProfile } from '../../src/store/profiles.js';
import { memoryLog } from '../support/memory-log.js';
import { startOidcProvider, type OidcTestProvider } from '../support/oidc-provider.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';
import { waitFor } from '../support/wait.js';

const ALICE = 'alice@example.test';
/** The provider's default redirect URI; nothing needs to serve it, the harness stops at the redirect. */
const REDIRECT = 'http://127.0.0.1/callback';

for (const dialect of await dialects()) {
  describe(`sign-in alerts at a real provider (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    let receiver: Receiver;
    const providers: OidcTestProvider[] = [];

    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store);
      receiver = await startReceiver();
    });
    after(async () => {
      await Promise.all(providers.map((p) => p.stop()));
      await receiver.close();
      await t.cleanup();
    });

    /** An OAuth2 mailbox at a provider of its own (a public client: PKCE, no secret), signed in as alice. */
    async function signedInMailbox(name: string): Promise<{ op: OidcTestProvider; profile: { id: number; name: string } }> {
      const op = await startOidcProvider();
      providers.push(op);
      const source = {
        protocol: 'imap' as const, host: '127.0.0.1', auth: 'oauth2' as const, oauthProvider: 'custom' as const,
        oauthIssuer: op.issuer, oauthClientId: op.publicClient.id, oauthScopes: 'openid email offline_access imap',
      };
      const { profile } = await createProfile(app, { name, source }, cliPrincipal('test'));
      await signIn(op, name);
      return { op, profile };
    }
    async function signIn(op: OidcTestProvider, name: string): Promise<void> {
      const started = await startSignIn(app, name, { via: 'cli', principal: cliPrincipal('test'), redirectUri: REDIRECT });
      const done = await completeSignIn(app, await op.signIn(started.url, { login: ALICE }));
      assert.equal(done.account, ALICE);
    }
    /** A refresh now, as Check Connection asks for one: what it failed with. */
    async function forcedRefresh(profileId: number): Promise<OAuthError> {
      const stored = validateSettings((await getProfile(t.store.db, profileId)).source);
      const ctx = { db: t.store.db, secrets: app.secrets() };
      return accessTokenFor(ctx, profileId, oauthAppOf(stored, app.secrets())!, { force: true }).then(
        () => assert.fail('the refresh should have failed'),
        (error: unknown) => (assert.ok(error instanceof OAuthError, String(error)), error),
      );
    }
    const about = (name: string) => receiver.delivered().map((r) => r.body as Alert).filter((a) => a.profile?.name === name);
    const summaryOf = async (name: string) => (await profileStatuses(app, name))[0]!.signInSummary;

    test("the app's access removed at the provider: the refresh stops the sign-in, status and one alert say sign in again, a new sign-in clears it", async () => {
      const { op, profile } = await signedInMailbox('revoked');
      const log = memoryLog();
      const monitor = new AlertMonitor(app, log.logger, { webhook: receiver.url });
      const first = (await openTokens(t.store.db, app.secrets(), profile.id))!;
      assert.ok(first.refreshToken, 'the provider issued a refresh token');
      try {
        await monitor.check();
        assert.equal(await summaryOf('revoked'), `signed in as ${ALICE} since ${(await profileStatuses(app, 'revoked'))[0]!.signIn!.signedInAt}`);

        assert.equal(await op.revokeGrantsOf(ALICE), 1);
        const refused = await forcedRefresh(profile.id);
        assert.equal(refused.stopped, true);
        assert.match(refused.message, /^the refresh token was revoked or has expired — sign in again \(the provider said invalid_grant/);
        assert.equal(await summaryOf('revoked'), `stopped: ${refused.message}`);
        await monitor.check();
        await monitor.check();
        const stopped = await waitFor(() => about('revoked')[0], { what: 'the stopped alert' });
        assert.equal(stopped.event, 'sign-in.stopped');
        assert.equal(stopped.reason, `the sign-in as ${ALICE} has stopped: ${refused.message}; sign in from the profile page or with \`mailbind profile signin revoked\``);

        await signIn(op, 'revoked');
        await monitor.check();
        const recovered = await waitFor(() => about('revoked')[1], { what: 'the recovered alert' });
        assert.equal(recovered.event, 'sign-in.recovered');
      } finally {
        await monitor.stop();
      }
      assert.deepEqual(about('revoked').map((a) => a.event), ['sign-in.stopped', 'sign-in.recovered']);
      const second = (await openTokens(t.store.db, app.secrets(), profile.id))!;
      const said = JSON.stringify(receiver.requests.map((r) => r.body)) + JSON.stringify(log.records) + JSON.stringify(await profileStatuses(app));
      for (const token of [first.accessToken, first.refreshToken, second.accessToken, second.refreshToken!]) {
        assert.ok(!said.includes(token), 'a token appears in an alert, the log or status');
      }
    });

    test('the provider unreachable while the access token works: status says until when, one alert says it is about to stop working', async () => {
      const { op, profile } = await signedInMailbox('unreachable');
      const monitor = new AlertMonitor(app, memoryLog().logger, { webhook: receiver.url });
      try {
        await op.stop();
        const failed = await forcedRefresh(profile.id);
        assert.equal(failed.stopped, false, 'worth retrying');
        // Refused, or the kept-alive connection cut: the network's own code either way.
        assert.match(failed.message, /^(cannot reach the provider while refreshing the access token: nothing accepts connections at its address \(ECONNREFUSED\)|the connection to the provider was cut while refreshing the access token \(UND_ERR_SOCKET\))$/);
        const [status] = await profileStatuses(app, 'unreachable');
        const { failingSince, accessExpiresAt } = status!.signIn!;
        assert.ok(Date.parse(accessExpiresAt) > Date.now(), 'the access token still works');
        assert.equal(status!.signInSummary, `refresh failing since ${failingSince} (the access token still works until ${accessExpiresAt}): ${failed.message}`);
        await monitor.check();
        await forcedRefresh(profile.id);
        await monitor.check();
        const failing = await waitFor(() => about('unreachable')[0], { what: 'the failing alert' });
        assert.equal(failing.event, 'sign-in.failing');
        assert.match(failing.reason, new RegExp(`^the sign-in as ${ALICE} is about to stop working: refreshing its access token has failed since `));
        assert.equal(failing.details.refreshFailures, 1, 'sent at the first check, not again at the second failure');
      } finally {
        await monitor.stop();
      }
      assert.deepEqual(about('unreachable').map((a) => a.event), ['sign-in.failing']);
    });
  });
}
