// /metrics for OAuth2 mailboxes, read from the token store at each scrape: the sign-in's state as one
// series per state (1 for the current one), when the access token expires, and refreshes failed in a
// row. Password mailboxes have none of these series; no token is ever in the text.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, type App } from '../../src/app/app.js';
import { metricsFor, type Metrics } from '../../src/app/metrics.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile, deleteProfile, updateProfile } from '../../src/app/profiles.js';
import { saveSignIn, signInStatus, signOut, storeRefreshed, takeRefreshLease } from '../../src/store/oauth-tokens.js';
import { parseMetrics, sampleValue, type Sample } from '../support/prometheus.js';
import { destinationOf, recordFailureNow } from '../support/sign-in-rows.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const ACCESS = 'access-Marker-metrics-7c1';
const REFRESH = 'refresh-Marker-metrics-k2d';
const STATES = ['ok', 'failing', 'stopped', 'not_signed_in'];

for (const dialect of await dialects()) {
  describe(`OAuth2 sign-in metrics (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    let metrics: Metrics;
    let mailbox: { id: number; name: string };
    let plain: { id: number; name: string };

    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store);
      const source = { protocol: 'pop3' as const, auth: 'oauth2' as const, oauthProvider: 'microsoft' as const, oauthClientId: 'app-1' };
      mailbox = (await createProfile(app, { name: 'outlook', source }, cliPrincipal('test'))).profile;
      plain = (await createProfile(app, { name: 'plain', source: { protocol: 'imap', host: 'mail.example', login: 'bob', password: 'pw' } }, cliPrincipal('test'))).profile;
      metrics = metricsFor(app);
    });
    after(() => t.cleanup());

    let text = '';
    const scrape = async () => parseMetrics((text = await metrics.render()));
    const of = (p: { id: number; name: string }) => ({ profile_id: String(p.id), profile: p.name });
    const stateOf = (samples: Sample[], p: { id: number; name: string }) =>
      Object.fromEntries(STATES.map((state) => [state, sampleValue(samples, 'mailbind_oauth_sign_in_state', { ...of(p), state })]));
    const current = (state: string) => Object.fromEntries(STATES.map((s) => [s, s === state ? 1 : 0]));

    test('not signed in yet: the state says so and there is no expiry; a password mailbox has no sign-in series', async () => {
      const samples = await scrape();
      assert.deepEqual(stateOf(samples, mailbox), current('not_signed_in'));
      assert.equal(sampleValue(samples, 'mailbind_oauth_access_token_expiry_timestamp_seconds', of(mailbox)), undefined);
      assert.equal(sampleValue(samples, 'mailbind_oauth_refresh_consecutive_failures', of(mailbox)), 0);
      for (const name of ['mailbind_oauth_sign_in_state', 'mailbind_oauth_access_token_expiry_timestamp_seconds', 'mailbind_oauth_refresh_consecutive_failures']) {
        assert.equal(samples.filter((s) => s.name === name && s.labels.profile_id === String(plain.id)).length, 0, `${name} for a password mailbox`);
      }
    });

    test('each scrape follows the sign-in: ok, failing (refreshes failed in a row), stopped, ok again after a refresh, signed out', async () => {
      const expires = new Date(Date.now() + 3_600_000);
      expires.setMilliseconds(0);
      await saveSignIn(t.store.db, app.secrets(), mailbox.id, { account: 'support@contoso.test', subject: null, accessToken: ACCESS, accessExpiresAt: expires.toISOString(), refreshToken: REFRESH, destination: await destinationOf(t.store.db, mailbox.id) });
      let samples = await scrape();
      assert.deepEqual(stateOf(samples, mailbox), current('ok'));
      assert.equal(sampleValue(samples, 'mailbind_oauth_access_token_expiry_timestamp_seconds', of(mailbox)), expires.getTime() / 1000);

      await recordFailureNow(t.store.db, mailbox.id, { error: 'cannot reach the provider while refreshing the access token: ECONNREFUSED', stopped: false });
      await recordFailureNow(t.store.db, mailbox.id, { error: 'cannot reach the provider while refreshing the access token: ECONNREFUSED', stopped: false });
      samples = await scrape();
      assert.deepEqual(stateOf(samples, mailbox), current('failing'));
      assert.equal(sampleValue(samples, 'mailbind_oauth_refresh_consecutive_failures', of(mailbox)), 2);

      await recordFailureNow(t.store.db, mailbox.id, { error: 'the refresh token was revoked or has expired — sign in again', stopped: true });
      samples = await scrape();
      assert.deepEqual(stateOf(samples, mailbox), current('stopped'));
      assert.equal(sampleValue(samples, 'mailbind_oauth_refresh_consecutive_failures', of(mailbox)), 3);

      const later = new Date(expires.getTime() + 3_600_000);
      assert.ok(await takeRefreshLease(t.store.db, mailbox.id, 'refresher', 60_000));
      assert.ok(await storeRefreshed(t.store.db, app.secrets(), mailbox.id, 'refresher', { accessToken: ACCESS + '-2', accessExpiresAt: later.toISOString() }));
      samples = await scrape();
      assert.deepEqual(stateOf(samples, mailbox), current('ok'));
      assert.equal(sampleValue(samples, 'mailbind_oauth_refresh_consecutive_failures', of(mailbox)), 0);
      assert.equal(sampleValue(samples, 'mailbind_oauth_access_token_expiry_timestamp_seconds', of(mailbox)), later.getTime() / 1000);
      assert.equal((await signInStatus(t.store.db, mailbox.id))!.state, 'ok');
      for (const secret of [ACCESS, REFRESH]) assert.ok(!text.includes(secret), `the metrics hold ${secret}`);

      await signOut(t.store.db, mailbox.id);
      samples = await scrape();
      assert.deepEqual(stateOf(samples, mailbox), current('not_signed_in'));
      assert.equal(sampleValue(samples, 'mailbind_oauth_access_token_expiry_timestamp_seconds', of(mailbox)), undefined, 'no token, no expiry');
    });

    test('a profile switched to a password has no sign-in series any more, a deleted one neither', async () => {
      const other = (await createProfile(app, { name: 'google', source: { protocol: 'imap', auth: 'oauth2', oauthProvider: 'google', oauthClientId: 'g-1' } }, cliPrincipal('test'))).profile;
      assert.deepEqual(stateOf(await scrape(), other), current('not_signed_in'));
      await updateProfile(app, 'google', { source: { auth: 'password', host: 'imap.gmail.com', login: 'a@gmail.test', password: 'app-password' } }, cliPrincipal('test'));
      assert.equal((await scrape()).filter((s) => s.name.startsWith('mailbind_oauth_') && s.labels.profile === 'google').length, 0);
      await deleteProfile(app, 'outlook', cliPrincipal('test'));
      assert.equal((await scrape()).filter((s) => s.name.startsWith('mailbind_oauth_')).length, 0, 'no OAuth2 mailbox left');
    });
  });
}
