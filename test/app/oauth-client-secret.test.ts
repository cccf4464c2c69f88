// A new client secret for an OAuth2 mailbox whose sign-in stopped because the provider refused the app
// (an expired client secret: invalid_client), saved through the profile use case: the sign-in is kept
// and the stop lifted, so the next fetch refreshes with the new secret and reads the mail, without
// anyone signing in again (docs/oauth.md: "a new client secret keeps the sign-in"). A stop for another
// reason (a revoked grant) still needs a new sign-in. Real provider, real Dovecot.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchOnce } from '../../src/app/fetch.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { updateProfile } from '../../src/app/profiles.js';
import { signInStatus } from '../../src/store/oauth-tokens.js';
import type { Profile } from '../../src/store/profiles.js';
import { dovecotSkip } from '../support/dovecot.js';
import { makeMessage } from '../support/messages.js';
import { startOAuthMailbox, type OAuthMailbox } from '../support/oauth-mailbox.js';

const [EXPIRED, REVOKED] = ['expired@example.test', 'revoked@example.test'];
const who = cliPrincipal('test');
const LIFTED = 'the sign-in is tried again with the new client credentials at the next poll';

describe('a new client secret for a sign-in the provider stopped', { skip: dovecotSkip() }, () => {
  let rig: OAuthMailbox;
  before(async () => {
    rig = await startOAuthMailbox({ accounts: [EXPIRED, REVOKED] });
  });
  after(() => rig?.cleanup());

  /** The stored access token made due for a refresh (10 s left of a 2-minute life). */
  const due = (profile: Profile) => rig.t.store.db.updateTable('oauth_tokens')
    .set({ access_expires_at: new Date(Date.now() + 10_000).toISOString(), signed_in_at: new Date(Date.now() - 110_000).toISOString() })
    .where('profile_id', '=', profile.id).execute();
  const fetchError = (profile: Profile) => fetchOnce(rig.app, profile.name).then(() => assert.fail('the fetch should fail'), (e: Error) => e);

  test('invalid_client stops the sign-in without "sign in again"; the new secret lifts the stop and the next fetch works', async () => {
    const profile = await rig.addProfile('expired-secret');
    await rig.signIn(profile, EXPIRED);
    // The secret the provider no longer accepts (kept signed in: the secret is not where the tokens go).
    const wrong = await updateProfile(rig.app, profile.name, { source: { oauthClientSecret: 'an-expired-client-secret' } }, who);
    assert.deepEqual(wrong.notes, []);
    await due(profile);
    const stopped = await fetchError(profile);
    assert.match(stopped.message, /the provider refused the app: check the client ID and client secret in the profile \(invalid_client/);
    assert.doesNotMatch(stopped.message, /sign in again/);
    assert.equal((await signInStatus(rig.t.store.db, profile.id))?.state, 'stopped');

    const saved = await updateProfile(rig.app, profile.name, { source: { oauthClientSecret: rig.op.client.secret } }, who);
    assert.deepEqual(saved.notes, [LIFTED]);
    assert.equal((await signInStatus(rig.t.store.db, profile.id))?.state, 'failing', 'to be tried again, still saying why it failed');

    await rig.dc.deliver(EXPIRED, makeMessage({ subject: 'after the new secret' }));
    const refreshes = rig.op.refreshGrants();
    const report = await fetchOnce(rig.app, profile.name);
    assert.deepEqual(report.messages.map((m) => m.subject), ['after the new secret']);
    assert.equal(rig.op.refreshGrants(), refreshes + 1, 'refreshed with the new secret');
    const status = await signInStatus(rig.t.store.db, profile.id);
    assert.deepEqual([status?.state, status?.lastError], ['ok', null]);
  });

  test('a stop for a revoked grant stays: a new client secret does not lift it', async () => {
    const profile = await rig.addProfile('revoked-grant');
    await rig.signIn(profile, REVOKED);
    assert.ok((await rig.op.revokeGrantsOf(REVOKED)) >= 1);
    await due(profile);
    assert.match((await fetchError(profile)).message, /the refresh token was revoked or has expired — sign in again/);
    const saved = await updateProfile(rig.app, profile.name, { source: { oauthClientSecret: 'another-client-secret' } }, who);
    assert.deepEqual(saved.notes, []);
    assert.equal((await signInStatus(rig.t.store.db, profile.id))?.state, 'stopped');
  });
});
