// OAuth2 mailboxes fetched through `fetchOnce` (mailbind fetch --once) against real Dovecot, which checks
// every token at the real provider: IMAP and POP3 log in with the access token (XOAUTH2/OAUTHBEARER),
// the login coming from the sign-in's account; a token the server refuses is refreshed once and tried
// again; refused again, the sign-in is stopped and the next fetch asks neither the provider nor Dovecot.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchOnce } from '../../../src/app/fetch.js';
import { AppError } from '../../../src/app/errors.js';
import { openTokens, saveSignIn, signInStatus } from '../../../src/store/oauth-tokens.js';
import { getStatus } from '../../../src/sources/status.js';
import { dovecotSkip } from '../../support/dovecot.js';
import { makeMessage } from '../../support/messages.js';
import { BOB, startOAuthMailbox, type OAuthMailbox } from '../../support/oauth-mailbox.js';
import { waitFor } from '../../support/wait.js';

const [IMAP, POP3, ONCE, TWICE] = ['imap@example.test', 'pop3@example.test', 'once@example.test', 'twice@example.test'];
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe('OAuth2 mailboxes through fetch --once', { skip: dovecotSkip() }, () => {
  let rig: OAuthMailbox;
  before(async () => {
    // An account per test: each profile reads a mailbox of its own.
    rig = await startOAuthMailbox({ accounts: [IMAP, POP3, ONCE, TWICE, BOB] });
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
      refreshToken: issued.refreshToken!, scope: issued.scope ?? null,
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

  test('a profile nobody signed in to says how to sign in', async () => {
    const profile = await rig.addProfile('never-signed-in');
    await assert.rejects(fetchOnce(rig.app, profile.name), /not signed in: sign in from the profile page \(or `mailbind profile signin NAME`\)/);
  });
});
