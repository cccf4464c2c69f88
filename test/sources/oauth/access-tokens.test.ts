// The refresher of access tokens (access-tokens.ts) against the real provider, with a proxy in front of it
// that can hold a request (test/support/held-http.ts): the provider's configuration is fetched before the
// lease is taken, so a slow discovery holds no lease; the token request is abandoned well inside the
// lease, so nothing sent to the provider can outlast it (a second refresher would then present a spent
// refresh token); a refresh that fails after a new sign-in leaves the new sign-in alone; tokens stored
// for other settings are not used, nor refreshed; a stop the app caused says to fix the app, not to sign
// in again; and how far ahead of expiry tokens are refreshed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessTokenFor, NOT_FOR_THESE_SETTINGS, refreshAheadMs } from '../../../src/sources/oauth/access-tokens.js';
import { oauthAppOf } from '../../../src/sources/oauth/app.js';
import { OAuthError, type OAuthApp } from '../../../src/sources/oauth/client.js';
import { credentialedSettings } from '../../../src/sources/oauth/credentials.js';
import { validateSettings, type SourceSettings } from '../../../src/sources/settings.js';
import { destinationHash, openTokens, signInStatus } from '../../../src/store/oauth-tokens.js';
import { getProfile, updateProfile as updateStoredProfile, type Profile } from '../../../src/store/profiles.js';
import { dovecotSkip } from '../../support/dovecot.js';
import { startHoldingProxy, type HoldingProxy } from '../../support/held-http.js';
import { startOAuthMailbox, type OAuthMailbox } from '../../support/oauth-mailbox.js';
import { destinationOf } from '../../support/sign-in-rows.js';
import { waitFor } from '../../support/wait.js';

const isTokenRequest = (method: string, path: string) => method === 'POST' && path === '/token';

describe('the access token refresher', { skip: dovecotSkip() }, () => {
  let rig: OAuthMailbox;
  /** In front of the provider's token endpoint, for profiles made with `behindProxy`. */
  let proxy: HoldingProxy;
  before(async () => {
    rig = await startOAuthMailbox({ accounts: ['alice@example.test'] });
    proxy = await startHoldingProxy(rig.op.issuer);
  });
  after(async () => {
    await proxy?.close();
    await rig?.cleanup();
  });

  const settingsOf = async (profile: Profile) => validateSettings((await getProfile(rig.t.store.db, profile.id)).source!);
  const appOf = async (profile: Profile) => oauthAppOf(await settingsOf(profile), rig.secrets)!;
  const rawRow = (profile: Profile) => rig.t.store.db.selectFrom('oauth_tokens').selectAll().where('profile_id', '=', profile.id).executeTakeFirstOrThrow();

  /** A signed-in profile whose token requests go through the proxy (its endpoints are settings, no discovery). */
  async function behindProxy(name: string): Promise<Profile> {
    const profile = await rig.addProfile(name, { endpoints: { authorizationUrl: `${rig.op.issuer}/auth`, tokenUrl: `${proxy.origin}/token` } });
    await rig.signIn(profile);
    return profile;
  }

  /** The stored token made due for a refresh: 10 s left of a 2-minute life (the provider's is good for a minute). */
  async function due(profile: Profile): Promise<void> {
    await rig.t.store.db.updateTable('oauth_tokens')
      .set({ access_expires_at: new Date(Date.now() + 10_000).toISOString(), signed_in_at: new Date(Date.now() - 110_000).toISOString() })
      .where('profile_id', '=', profile.id).execute();
  }

  /** Changes the stored settings past the app (which would sign out), keeping the sign-in bound to them. */
  async function moveKeepingSignIn(profile: Profile, change: Partial<SourceSettings>): Promise<void> {
    const source = { ...(await getProfile(rig.t.store.db, profile.id)).source!, ...change };
    await updateStoredProfile(rig.t.store.db, profile.id, { source });
    const destination = destinationHash(await destinationOf(rig.t.store.db, profile.id));
    await rig.t.store.db.updateTable('oauth_tokens').set({ destination_hash: destination }).where('profile_id', '=', profile.id).execute();
  }

  test("the provider's configuration comes before the lease: no lease is held while discovery is under way", async () => {
    const profile = await rig.addProfile('slow-discovery');
    const issued = await rig.signIn(profile);
    const discovery = await startHoldingProxy(rig.op.issuer);
    try {
      await moveKeepingSignIn(profile, { oauthIssuer: discovery.origin });
      await due(profile);
      const held = discovery.holdNext((method, path) => method === 'GET' && path === '/.well-known/openid-configuration');
      const pending = accessTokenFor(rig.ctx, profile.id, await appOf(profile));
      const request = await held;
      const row = await rawRow(profile);
      assert.deepEqual([row.lease_owner, row.lease_until], [null, null], 'nobody holds the lease while the provider is being discovered');
      request.answer(503, { error: 'temporarily_unavailable' });
      // The discovery failed, the stored token still works: it is used, and the sign-in shows as failing.
      const token = await pending;
      assert.equal(token.token, issued.accessToken);
      const status = await signInStatus(rig.t.store.db, profile.id);
      assert.equal(status?.state, 'failing');
      assert.equal(status?.lastError, `the provider answered HTTP 503 while discovering the provider at ${discovery.origin}`);
      assert.equal((await rawRow(profile)).lease_owner, null);
    } finally {
      await discovery.close();
    }
  });

  test('a token request the provider holds is abandoned well inside the lease, and never reaches the provider', async () => {
    const profile = await behindProxy('held-refresh');
    const issued = (await openTokens(rig.t.store.db, rig.secrets, profile.id))!;
    await due(profile);
    const [refreshes, failed] = [rig.op.refreshGrants(), rig.op.failedRefreshGrants()];
    const held = proxy.holdNext(isTokenRequest);
    const leaseMs = 4_000;
    const pending = accessTokenFor({ ...rig.ctx, refreshLeaseMs: leaseMs }, profile.id, await appOf(profile));
    const request = await held;
    const leaseUntil = Date.parse((await rawRow(profile)).lease_until!);
    assert.ok(leaseUntil > request.arrivedAt, 'the request was sent under the lease');
    let gaveUpAt: number | undefined;
    void request.abandoned.then((at) => (gaveUpAt = at));
    await waitFor(() => gaveUpAt, { what: 'the refresher to give up on the held request', timeoutMs: leaseMs + 5_000 });
    assert.ok(gaveUpAt! < leaseUntil - 500, `abandoned ${leaseUntil - gaveUpAt!} ms before the lease ends: well inside it`);
    await request.release(); // too late: the client is gone, nothing is forwarded
    // The stored token still has a few seconds: used, and the sign-in shows why it is failing.
    assert.equal((await pending).token, issued.accessToken);
    const status = await signInStatus(rig.t.store.db, profile.id);
    assert.equal(status?.state, 'failing');
    assert.match(status?.lastError ?? '', /^the provider did not answer within [\d.]+ s while refreshing the access token$/);
    assert.deepEqual([rig.op.refreshGrants(), rig.op.failedRefreshGrants()], [refreshes, failed], 'the provider never saw the refresh');
    assert.equal((await rawRow(profile)).lease_owner, null, 'the lease is given back');
  });

  test('a refresh that fails after a new sign-in leaves the new sign-in as it is', async () => {
    const profile = await behindProxy('late-failure');
    await due(profile);
    const held = proxy.holdNext(isTokenRequest);
    const pending = accessTokenFor(rig.ctx, profile.id, await appOf(profile));
    const request = await held;
    // Meanwhile the person signs in again (its code exchange passes the proxy), then the old refresh is refused.
    const signedIn = await rig.signIn(profile);
    request.answer(400, { error: 'invalid_grant', error_description: 'grant request is invalid' });
    await assert.rejects(pending, /the refresh token was revoked or has expired — sign in again/);
    const status = await signInStatus(rig.t.store.db, profile.id);
    assert.deepEqual([status?.state, status?.lastError, status?.refreshFailures], ['ok', null, 0], 'the new sign-in is not marked stopped');
    assert.equal((await openTokens(rig.t.store.db, rig.secrets, profile.id))?.accessToken, signedIn.accessToken);
  });

  test('tokens stored for other settings are neither used nor refreshed: an older copy of the profile, or a sign-in with no destination', async () => {
    const profile = await rig.addProfile('moved');
    await rig.signIn(profile);
    const stored = await settingsOf(profile);
    const refreshes = rig.op.refreshGrants();
    // A worker still holding the profile as it was before its mailbox moved (and was signed in again).
    const elsewhere: OAuthApp = oauthAppOf({ ...stored, host: 'imap.elsewhere.example' }, rig.secrets)!;
    for (const request of [{}, { force: true }]) {
      const error = await accessTokenFor(rig.ctx, profile.id, elsewhere, request).then(() => assert.fail('used'), (e: unknown) => e);
      assert.ok(error instanceof OAuthError && error.stopped);
      assert.equal(error.message, NOT_FOR_THESE_SETTINGS);
    }
    const copy = { ...(await getProfile(rig.t.store.db, profile.id)) };
    copy.source = { ...copy.source!, port: 1143 };
    await assert.rejects(credentialedSettings(rig.ctx, copy), (e: Error) => e.message === NOT_FOR_THESE_SETTINGS);
    assert.equal(rig.op.refreshGrants(), refreshes, 'no refresh token went to the provider either');
    // The profile's own settings still work.
    assert.ok((await credentialedSettings(rig.ctx, await getProfile(rig.t.store.db, profile.id)))?.token);
    // A sign-in stored without a destination (before migration 017) is not trusted with any.
    await rig.t.store.db.updateTable('oauth_tokens').set({ destination_hash: null }).where('profile_id', '=', profile.id).execute();
    await assert.rejects(accessTokenFor(rig.ctx, profile.id, await appOf(profile)), (e: Error) => e.message === NOT_FOR_THESE_SETTINGS);
    assert.equal((await signInStatus(rig.t.store.db, profile.id))?.state, 'ok', 'refusing to use them is not a failure of the sign-in');
  });

  test('a stop the app caused (an expired client secret) says to fix the client ID or secret, not to sign in again', async () => {
    const profile = await rig.addProfile('expired-secret');
    await rig.signIn(profile);
    // The client secret the provider no longer accepts (it is not part of where the tokens go: kept signed in).
    const source = (await getProfile(rig.t.store.db, profile.id)).source!;
    await updateStoredProfile(rig.t.store.db, profile.id, { source: { ...source, oauthClientSecret: rig.secrets.encrypt('an-expired-secret') } });
    await due(profile);
    const first = await accessTokenFor(rig.ctx, profile.id, await appOf(profile), { force: true }).then(() => assert.fail('refreshed'), (e: Error) => e);
    assert.match(first.message, /^the provider refused the app: check the client ID and client secret in the profile \(invalid_client/);
    const status = await signInStatus(rig.t.store.db, profile.id);
    assert.equal(status?.state, 'stopped');
    const row = await rawRow(profile);
    assert.equal(row.last_error_code, 'invalid_client');
    const next = await accessTokenFor(rig.ctx, profile.id, await appOf(profile)).then(() => assert.fail('used'), (e: Error) => e);
    assert.equal(next.message, status?.lastError, 'the stop says what to fix, without "sign in again"');
    assert.doesNotMatch(next.message, /sign in again/);
  });

  test('refreshed a quarter of its lifetime ahead, at most 10 minutes: an hour-long token with 10 minutes left, a 3-second one with 0.75 s', () => {
    const ahead = (lifetimeMs: number) => refreshAheadMs({ issuedAt: new Date(0).toISOString(), accessExpiresAt: new Date(lifetimeMs).toISOString() });
    assert.equal(ahead(3_600_000), 600_000);
    assert.equal(ahead(20 * 60_000), 5 * 60_000);
    assert.equal(ahead(4 * 60_000), 60_000);
    assert.equal(ahead(3_000), 750);
    assert.equal(refreshAheadMs({ issuedAt: 'unknown', accessExpiresAt: new Date().toISOString() }), 60_000);
  });
});
