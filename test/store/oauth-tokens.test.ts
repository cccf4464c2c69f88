// OAuth2 tokens at rest, on SQLite and PostgreSQL: sealed (the row holds no token in plain form) and bound
// to the settings they were signed in for, one refresher at a time through the lease, the refreshed pair
// written only by the lease holder, the states a failure leaves (failing, stopped; a stop that only a
// refresh, a new sign-in or, for the app's refusal, new app credentials lift), and a failure written only
// while nothing newer happened.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { createProfile } from '../../src/store/profiles.js';
import { SecretBox } from '../../src/store/secrets.js';
import {
  destinationHash,
  liftStop,
  openTokens,
  recordSignInFailure,
  releaseRefreshLease,
  saveSignIn,
  signInStatus,
  signOut,
  storeRefreshed,
  takeRefreshLease,
} from '../../src/store/oauth-tokens.js';

const ACCESS = 'access-token-MARKER-1f4e';
const REFRESH = 'refresh-token-MARKER-9c2a';
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const DESTINATION = JSON.stringify(['imap', 'imap.example.test', 993, 'tls', false, 'custom', 'client-1', 'https://id.example.test', null, null]);

for (const dialect of await dialects()) {
  describe(`oauth tokens on ${dialect}`, () => {
    let t: TestStore;
    let secrets: SecretBox;
    let n = 0;
    before(async () => {
      t = await openTestStore(dialect);
      secrets = SecretBox.forDataDir(t.dataDir);
    });
    after(() => t.cleanup());

    const signedIn = async () => {
      const profile = await createProfile(t.store.db, { name: `oauth-${++n}`, rules: '' });
      await saveSignIn(t.store.db, secrets, profile.id, {
        account: 'alice@example.test', subject: 'alice', accessToken: ACCESS, accessExpiresAt: inAnHour(), refreshToken: REFRESH, scope: 'openid imap',
        destination: DESTINATION,
      });
      return profile.id;
    };
    const rawRow = (profileId: number) => t.store.db.selectFrom('oauth_tokens').selectAll().where('profile_id', '=', profileId).executeTakeFirstOrThrow();
    const version = async (profileId: number) => Number((await rawRow(profileId)).version);
    /** A failure of the token stored now (the guard the login-refused path uses). */
    const failNow = async (profileId: number, failure: { error: string; stopped: boolean; code?: string }) =>
      recordSignInFailure(t.store.db, profileId, { ...failure, version: await version(profileId) });

    test('saveSignIn seals both tokens: the raw row holds neither, openTokens gives them back', async () => {
      const id = await signedIn();
      const row = await rawRow(id);
      const text = JSON.stringify(row);
      assert.ok(!text.includes(ACCESS) && !text.includes(REFRESH), `a token is stored in plain form: ${text}`);
      assert.match(row.access_token, /^v1:/);
      assert.match(row.refresh_token!, /^v1:/);
      const open = await openTokens(t.store.db, secrets, id);
      assert.deepEqual([open?.accessToken, open?.refreshToken, open?.account, open?.state, open?.scope], [ACCESS, REFRESH, 'alice@example.test', 'ok', 'openid imap']);
      assert.equal(open?.destinationHash, destinationHash(DESTINATION), 'bound to the settings it signed in for');
      assert.match(row.destination_hash!, /^[0-9a-f]{64}$/);
      assert.notEqual(destinationHash(DESTINATION.replace('imap.example.test', 'elsewhere.example.test')), open?.destinationHash);
      const status = await signInStatus(t.store.db, id);
      assert.equal(status?.hasRefreshToken, true);
      assert.ok(!JSON.stringify(status).includes('MARKER'), 'the status carries no token');
    });

    test('a new sign-in replaces the tokens, clears failures and moves the version', async () => {
      const id = await signedIn();
      assert.ok(await failNow(id, { error: 'revoked — sign in again', stopped: true, code: 'invalid_grant' }));
      const before = await openTokens(t.store.db, secrets, id);
      const moved = DESTINATION.replace('imap.example.test', 'other.example.test');
      await saveSignIn(t.store.db, secrets, id, { account: 'bob@example.test', subject: 'bob', accessToken: 'a2', accessExpiresAt: inAnHour(), refreshToken: null, destination: moved });
      const after = await openTokens(t.store.db, secrets, id);
      assert.deepEqual([after?.account, after?.accessToken, after?.refreshToken, after?.state, after?.lastError, after?.lastErrorCode], ['bob@example.test', 'a2', null, 'ok', null, null]);
      assert.equal(after?.destinationHash, destinationHash(moved));
      assert.ok(after!.version > before!.version);
      assert.equal((await signInStatus(t.store.db, id))?.refreshFailures, 0);
    });

    test('the refresh lease has one holder at a time; free again once released or run out', async () => {
      const id = await signedIn();
      assert.equal(await takeRefreshLease(t.store.db, id, 'a', 60_000), true);
      assert.equal(await takeRefreshLease(t.store.db, id, 'b', 60_000), false, 'another worker waits');
      assert.equal(await takeRefreshLease(t.store.db, id, 'a', 60_000), true, 'the holder renews');
      await releaseRefreshLease(t.store.db, id, 'b');
      assert.equal(await takeRefreshLease(t.store.db, id, 'b', 60_000), false, 'only the holder releases');
      await releaseRefreshLease(t.store.db, id, 'a');
      assert.equal(await takeRefreshLease(t.store.db, id, 'b', -1), true, 'released: free');
      assert.equal(await takeRefreshLease(t.store.db, id, 'c', 60_000), true, 'run out: free');
      assert.equal(await takeRefreshLease(t.store.db, 999_999, 'a', 60_000), false, 'no sign-in, no lease');
    });

    test('storeRefreshed writes only for the holder: a rotated refresh token replaces the old one, sealed, with the lease released', async () => {
      const id = await signedIn();
      const before = await openTokens(t.store.db, secrets, id);
      assert.equal(await storeRefreshed(t.store.db, secrets, id, 'nobody', { accessToken: 'x', accessExpiresAt: inAnHour(), refreshToken: 'y' }), false);
      assert.equal((await openTokens(t.store.db, secrets, id))?.accessToken, ACCESS, 'nothing written without the lease');
      assert.ok(await takeRefreshLease(t.store.db, id, 'holder', 60_000));
      assert.equal(await storeRefreshed(t.store.db, secrets, id, 'holder', {
        accessToken: 'access-MARKER-2', accessExpiresAt: inAnHour(), refreshToken: 'refresh-MARKER-2', scope: 'openid imap email',
      }), true);
      const after = await openTokens(t.store.db, secrets, id);
      assert.deepEqual([after?.accessToken, after?.refreshToken, after?.scope, after?.version], ['access-MARKER-2', 'refresh-MARKER-2', 'openid imap email', before!.version + 1]);
      const row = await rawRow(id);
      assert.ok(!JSON.stringify(row).includes('MARKER'), 'the refreshed tokens are sealed too');
      assert.deepEqual([row.lease_owner, row.lease_until], [null, null]);
      assert.ok(row.refreshed_at);
      // A provider that does not rotate sends no refresh token: the stored one stays.
      assert.ok(await takeRefreshLease(t.store.db, id, 'holder', 60_000));
      assert.ok(await storeRefreshed(t.store.db, secrets, id, 'holder', { accessToken: 'access-3', accessExpiresAt: inAnHour() }));
      assert.equal((await openTokens(t.store.db, secrets, id))?.refreshToken, 'refresh-MARKER-2');
      // A holder whose lease ran out and was taken writes nothing.
      assert.ok(await takeRefreshLease(t.store.db, id, 'slow', -1));
      assert.ok(await takeRefreshLease(t.store.db, id, 'fast', 60_000));
      assert.equal(await storeRefreshed(t.store.db, secrets, id, 'slow', { accessToken: 'late', accessExpiresAt: inAnHour(), refreshToken: 'late' }), false);
      assert.equal((await openTokens(t.store.db, secrets, id))?.refreshToken, 'refresh-MARKER-2');
    });

    test('failures: failing keeps its first moment, stopped says why, a retryable failure never lifts a stop, a refresh does', async () => {
      const id = await signedIn();
      assert.ok(await failNow(id, { error: 'cannot reach the provider: ECONNREFUSED', stopped: false, code: 'ECONNREFUSED' }));
      const failing = await signInStatus(t.store.db, id);
      assert.deepEqual([failing?.state, failing?.lastError, failing?.refreshFailures], ['failing', 'cannot reach the provider: ECONNREFUSED', 1]);
      assert.ok(failing?.failingSince);
      assert.ok(await failNow(id, { error: 'the refresh token was revoked or has expired — sign in again', stopped: true, code: 'invalid_grant' }));
      const stopped = await signInStatus(t.store.db, id);
      assert.deepEqual([stopped?.state, stopped?.lastError, stopped?.refreshFailures], ['stopped', 'the refresh token was revoked or has expired — sign in again', 2]);
      assert.equal(stopped?.failingSince, failing?.failingSince, 'failing since the first failure');
      assert.ok(await failNow(id, { error: 'the provider did not answer within 30 s', stopped: false, code: 'timeout' }));
      const still = await signInStatus(t.store.db, id);
      assert.deepEqual([still?.state, still?.lastError], ['stopped', 'the refresh token was revoked or has expired — sign in again']);
      assert.equal((await openTokens(t.store.db, secrets, id))?.lastErrorCode, 'invalid_grant', 'nor the code of why');
      assert.ok(await takeRefreshLease(t.store.db, id, 'w', 60_000));
      assert.ok(await storeRefreshed(t.store.db, secrets, id, 'w', { accessToken: 'a', accessExpiresAt: inAnHour() }));
      const ok = await signInStatus(t.store.db, id);
      assert.deepEqual([ok?.state, ok?.lastError, ok?.failingSince, ok?.refreshFailures], ['ok', null, null, 0]);
    });

    test("a refresher's failure is written (and its lease released) only while it holds the lease: never over another worker's lease", async () => {
      const id = await signedIn();
      assert.ok(await takeRefreshLease(t.store.db, id, 'slow', -1));
      assert.ok(await takeRefreshLease(t.store.db, id, 'fast', 60_000));
      assert.equal(await recordSignInFailure(t.store.db, id, { error: 'the provider did not answer within 30 s', stopped: false, owner: 'slow' }), false);
      const row = await rawRow(id);
      assert.deepEqual([row.lease_owner, row.state, row.last_error, Number(row.refresh_failures)], ['fast', 'ok', null, 0], "the other worker's refresh is what the row will say");
      assert.equal(await takeRefreshLease(t.store.db, id, 'third', 60_000), false, 'no third refresher beside the holder');
      assert.equal(await recordSignInFailure(t.store.db, id, { error: 'invalid_client', stopped: true, owner: 'fast' }), true);
      assert.deepEqual([(await rawRow(id)).lease_owner, (await rawRow(id)).state], [null, 'stopped']);
    });

    test('a failure that comes late never marks a newer sign-in stopped: the lease guard (refresh) and the version guard (refused login)', async () => {
      const id = await signedIn();
      // A refresh under way when the person signs in again: the new sign-in clears the lease.
      assert.ok(await takeRefreshLease(t.store.db, id, 'refresher', 60_000));
      await saveSignIn(t.store.db, secrets, id, { account: 'alice@example.test', subject: 'alice', accessToken: 'new', accessExpiresAt: inAnHour(), refreshToken: 'new-r', destination: DESTINATION });
      assert.equal(await recordSignInFailure(t.store.db, id, { error: 'the refresh token was revoked — sign in again', stopped: true, code: 'invalid_grant', owner: 'refresher' }), false);
      let status = await signInStatus(t.store.db, id);
      assert.deepEqual([status?.state, status?.lastError, status?.refreshFailures], ['ok', null, 0]);
      // A login refused with the token of version v, recorded after a new sign-in (or a refresh) moved past v.
      const refused = await version(id);
      await saveSignIn(t.store.db, secrets, id, { account: 'alice@example.test', subject: 'alice', accessToken: 'newer', accessExpiresAt: inAnHour(), refreshToken: 'newer-r', destination: DESTINATION });
      assert.equal(await recordSignInFailure(t.store.db, id, { error: 'refused — sign in again', stopped: true, code: 'refused', version: refused }), false);
      assert.ok(await takeRefreshLease(t.store.db, id, 'w', 60_000));
      assert.ok(await storeRefreshed(t.store.db, secrets, id, 'w', { accessToken: 'refreshed', accessExpiresAt: inAnHour() }));
      assert.equal(await recordSignInFailure(t.store.db, id, { error: 'refused — sign in again', stopped: true, code: 'refused', version: refused + 1 }), false, 'a refresh since counts too');
      status = await signInStatus(t.store.db, id);
      assert.deepEqual([status?.state, status?.lastError], ['ok', null]);
      // The token stored now: written, and the version moves.
      const now = await version(id);
      assert.equal(await recordSignInFailure(t.store.db, id, { error: 'refused — sign in again', stopped: true, code: 'refused', version: now }), true);
      assert.deepEqual([(await signInStatus(t.store.db, id))?.state, await version(id)], ['stopped', now + 1]);
    });

    test("liftStop makes a stop with one of the codes failing (the error kept until a refresh works); other stops and states stay", async () => {
      const appRefusals = ['invalid_client', 'unauthorized_client'];
      const id = await signedIn();
      assert.equal(await liftStop(t.store.db, id, appRefusals), false, 'not stopped: nothing to lift');
      assert.ok(await failNow(id, { error: 'the provider refused the app (invalid_client)', stopped: true, code: 'invalid_client' }));
      const before = await version(id);
      assert.equal(await liftStop(t.store.db, id, appRefusals), true);
      const lifted = await openTokens(t.store.db, secrets, id);
      assert.deepEqual([lifted?.state, lifted?.lastError, lifted?.lastErrorCode, lifted?.version], ['failing', 'the provider refused the app (invalid_client)', 'invalid_client', before + 1]);
      assert.equal(await liftStop(t.store.db, id, appRefusals), false, 'lifted once');

      const revoked = await signedIn();
      assert.ok(await failNow(revoked, { error: 'the refresh token was revoked — sign in again', stopped: true, code: 'invalid_grant' }));
      assert.equal(await liftStop(t.store.db, revoked, appRefusals), false, 'a revoked grant needs a new sign-in');
      assert.equal((await signInStatus(t.store.db, revoked))?.state, 'stopped');
      assert.equal(await liftStop(t.store.db, 999_999, appRefusals), false);
    });

    test('signOut forgets the tokens', async () => {
      const id = await signedIn();
      assert.equal(await signOut(t.store.db, id), true);
      assert.equal(await openTokens(t.store.db, secrets, id), null);
      assert.equal(await signOut(t.store.db, id), false);
    });
  });
}
