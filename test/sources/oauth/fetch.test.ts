// OAuth2 mailboxes fetched through `fetchOnce` (mailbind fetch --once) against real Dovecot, which checks
// every token at the real provider: IMAP and POP3 log in with the access token (XOAUTH2/OAUTHBEARER),
// the login coming from the sign-in's account; a token the server refuses is refreshed once and tried
// again; refused again, the sign-in is stopped and the next fetch asks neither the provider nor Dovecot;
// a provider that does not answer leaves the sign-in failing while the token it still has keeps working,
// and an hour-long token is renewed early enough (10 minutes ahead) for that to show before it runs out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchOnce } from '../../../src/app/fetch.js';
import { AppError } from '../../../src/app/errors.js';
import { destinationHash, openTokens, saveSignIn, signInStatus } from '../../../src/store/oauth-tokens.js';
import type { Profile } from '../../../src/store/profiles.js';
import { getStatus } from '../../../src/sources/status.js';
import { updateProfile as updateStoredProfile } from '../../../src/store/profiles.js';
import { dovecotSkip } from '../../support/dovecot.js';
import { makeMessage } from '../../support/messages.js';
import { freePort } from '../../support/ports.js';
import { BOB, startOAuthMailbox, type OAuthMailbox } from '../../support/oauth-mailbox.js';
import { destinationOf } from '../../support/sign-in-rows.js';
import { waitFor } from '../../support/wait.js';

const [IMAP, POP3, ONCE, TWICE, DOWN, AHEAD] = ['imap@example.test', 'pop3@example.test', 'once@example.test', 'twice@example.test', 'down@example.test', 'ahead@example.test'];
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe('OAuth2 mailboxes through fetch --once', { skip: dovecotSkip() }, () => {
  let rig: OAuthMailbox;
  before(async () => {
    // An account per test: each profile reads a mailbox of its own.
    rig = await startOAuthMailbox({ accounts: [IMAP, POP3, ONCE, TWICE, DOWN, AHEAD, BOB] });
  });
  after(() => rig?.cleanup());

  /** Dovecot's log from `mark` on: what the logins of one step did. */
  const logSince = async (mark: number) => (await rig.dc.log()).slice(mark);
  /** Waits until Dovecot's log since `mark` has `count` lines matching `pattern` (its log is written a moment later). */
  const logged = (mark: number, pattern: RegExp, count = 1) =>
    waitFor(async () => ((await logSince(mark)).match(new RegExp(pattern.source, 'g'))?.length ?? 0) >= count && logSince(mark), {
      what: async () => `Dovecot to log ${count} × ${pattern}; since the mark it logged:\n${await logSince(mark)}`,
      timeoutMs: 5_000,
    });

  for (const protocol of ['imap', 'pop3'] as const) {
    test(`${protocol}: logs in with the access token as the signed-in account and brings the mail`, async () => {
      const account = protocol === 'imap' ? IMAP : POP3;
      const profile = await rig.addProfile(`fetch-${protocol}`, { protocol });
      await rig.signIn(profile, account);
      await rig.dc.deliver(account, makeMessage({ subject: `by ${protocol} with a token` }));
      const mark = (await rig.dc.log()).length;
      const refreshes = rig.op.refreshGrants();
      const report = await fetchOnce(rig.app, profile.name);
      assert.equal(report.server.stored, 1);
      assert.deepEqual(report.messages.map((m) => m.subject), [`by ${protocol} with a token`]);
      const method = protocol === 'imap' ? '(OAUTHBEARER|XOAUTH2)' : 'XOAUTH2';
      const logins = await logged(mark, new RegExp(`${protocol}-login: Info: Login: user=<${protocol}@example\\.test>, method=${method}`));
      assert.doesNotMatch(logins, /Introspection failed/);
      assert.equal(rig.op.refreshGrants(), refreshes, 'a fresh token is used as it is');
      assert.equal((await getStatus(rig.t.store.db, profile.id)).lastError, null);
    });
  }

  test('a token the server refuses is refreshed once and the login tried again, which works', async () => {
    const profile = await rig.addProfile('refused-once');
    const issued = await rig.signIn(profile, ONCE);
    // The stored access token looks fresh for an hour, but the provider never issued it: Dovecot refuses it.
    await saveSignIn(rig.t.store.db, rig.secrets, profile.id, {
      account: ONCE, subject: ONCE, accessToken: 'not-a-token-the-provider-issued', accessExpiresAt: inAnHour(),
      refreshToken: issued.refreshToken!, scope: issued.scope ?? null, destination: await destinationOf(rig.t.store.db, profile.id),
    });
    await rig.dc.deliver(ONCE, makeMessage({ subject: 'after one refusal' }));
    const mark = (await rig.dc.log()).length;
    const [refreshes, failed] = [rig.op.refreshGrants(), rig.op.failedRefreshGrants()];
    const report = await fetchOnce(rig.app, profile.name);
    assert.ok(report.messages.some((m) => m.subject === 'after one refusal'));
    assert.equal(rig.op.refreshGrants(), refreshes + 1, 'one forced refresh');
    assert.equal(rig.op.failedRefreshGrants(), failed);
    await logged(mark, /imap-login: Info: Login: user=<once@example\.test>/);
    const logins = await logged(mark, /Introspection failed: Provided token is not valid/);
    assert.equal(logins.match(/Introspection failed/g)?.length, 1, logins);
    assert.equal((await signInStatus(rig.t.store.db, profile.id))?.state, 'ok');
    assert.notEqual((await openTokens(rig.t.store.db, rig.secrets, profile.id))?.accessToken, 'not-a-token-the-provider-issued');
  });

  test('refused again after the refresh: the sign-in stops, and the next fetch asks neither the provider nor the server', async () => {
    // The mailbox logs in as bob, but someone else signed in: Dovecot refuses their token for bob, however fresh.
    const profile = await rig.addProfile('refused-twice', { login: BOB });
    await rig.signIn(profile, TWICE);
    const mark = (await rig.dc.log()).length;
    const refreshes = rig.op.refreshGrants();
    const error = await fetchOnce(rig.app, profile.name).then(() => assert.fail('the fetch should fail'), (e: unknown) => e);
    assert.ok(error instanceof AppError);
    assert.match(error.message, /the mail server refused the access token even after a refresh \(.*\) — sign in again/);
    assert.equal(rig.op.refreshGrants(), refreshes + 1, 'exactly one refresh for the refusal');
    await logged(mark, /Username 'bob@example\.test' did not match 'twice@example\.test'/, 2); // before and after the refresh
    const stopped = await signInStatus(rig.t.store.db, profile.id);
    assert.equal(stopped?.state, 'stopped');
    assert.match(stopped?.lastError ?? '', /sign in again/);

    const second = await fetchOnce(rig.app, profile.name).then(() => assert.fail('the fetch should fail'), (e: unknown) => e);
    assert.ok(second instanceof AppError);
    assert.equal(second.category, 'user', 'a stopped sign-in waits for a person');
    // The stop's own words: the fetch ended before any connection, at the stored stop.
    assert.match(second.message, /the mail server refused the access token even after a refresh .* — sign in again/);
    assert.equal(rig.op.refreshGrants(), refreshes + 1, 'the provider was not asked again');
    assert.match((await getStatus(rig.t.store.db, profile.id)).lastError ?? '', /sign in again/);
  });

  /**
   * The provider's endpoints moved to a port where nothing listens, written past the app (which would sign
   * the profile out for another endpoint), and the stored sign-in bound to the new settings, as a sign-in
   * made there would be.
   */
  async function providerDown(profile: Profile): Promise<void> {
    const closed = await freePort();
    await updateStoredProfile(rig.t.store.db, profile.id, {
      source: { ...profile.source!, oauthIssuer: undefined, oauthAuthorizationUrl: `http://127.0.0.1:${closed}/auth`, oauthTokenUrl: `http://127.0.0.1:${closed}/token` },
    });
    const destination = destinationHash(await destinationOf(rig.t.store.db, profile.id));
    await rig.t.store.db.updateTable('oauth_tokens').set({ destination_hash: destination }).where('profile_id', '=', profile.id).execute();
  }

  test('the provider unreachable while the access token still works: the fetch works, the sign-in shows as failing', async () => {
    const profile = await rig.addProfile('provider-down');
    const issued = await rig.signIn(profile, DOWN);
    // The token (good at the provider for a minute) is due for a refresh: 10 s of a 2-minute life left.
    await rig.t.store.db.updateTable('oauth_tokens')
      .set({ access_expires_at: new Date(Date.now() + 10_000).toISOString(), signed_in_at: new Date(Date.now() - 110_000).toISOString() })
      .where('profile_id', '=', profile.id).execute();
    await providerDown(profile);
    await rig.dc.deliver(DOWN, makeMessage({ subject: 'while the provider is down' }));
    const report = await fetchOnce(rig.app, profile.name);
    assert.deepEqual(report.messages.map((m) => m.subject), ['while the provider is down']);
    const status = await signInStatus(rig.t.store.db, profile.id);
    assert.deepEqual([status?.state, status?.refreshFailures], ['failing', 1]);
    assert.equal(status?.lastError, 'cannot reach the provider while refreshing the access token: nothing accepts connections at its address (ECONNREFUSED)');
    assert.equal((await openTokens(rig.t.store.db, rig.secrets, profile.id))?.accessToken, issued.accessToken, 'the token it still had');
  });

  test('an hour-long token is renewed with 10 minutes left: a provider down then shows as failing while mail still flows', async () => {
    const profile = await rig.addProfile('ahead');
    const issued = await rig.signIn(profile, AHEAD);
    // An hour-long token with 9 minutes left: not due when only its last minute was renewed (as before).
    const [signedIn, expires] = [new Date(Date.now() - 51 * 60_000), new Date(Date.now() + 9 * 60_000)];
    await rig.t.store.db.updateTable('oauth_tokens')
      .set({ access_expires_at: expires.toISOString(), signed_in_at: signedIn.toISOString() })
      .where('profile_id', '=', profile.id).execute();
    await providerDown(profile);
    await rig.dc.deliver(AHEAD, makeMessage({ subject: 'nine minutes before expiry' }));
    const report = await fetchOnce(rig.app, profile.name);
    assert.deepEqual(report.messages.map((m) => m.subject), ['nine minutes before expiry']);
    const status = await signInStatus(rig.t.store.db, profile.id);
    assert.deepEqual([status?.state, status?.refreshFailures, status?.accessExpiresAt], ['failing', 1, expires.toISOString()], 'a refresh was tried, and failed');
    assert.equal((await openTokens(rig.t.store.db, rig.secrets, profile.id))?.accessToken, issued.accessToken);
  });

  test('a profile nobody signed in to says how to sign in', async () => {
    const profile = await rig.addProfile('never-signed-in');
    await assert.rejects(fetchOnce(rig.app, profile.name), /not signed in: sign in from the profile page \(or `mailbind profile signin NAME`\)/);
  });
});
