// withCredentials (credentials.ts) against real Dovecot: only a token the mail server refuses counts
// against the sign-in. A login refused for want of TLS (plaintext logins disabled, met from 127.0.0.5) or
// because the server's own authentication backend is down (IMAP [UNAVAILABLE], POP3 [SYS/TEMP]: Dovecot
// whose token introspection cannot reach the provider) is a poll error: no forced refresh, the sign-in
// not stopped, no "sign in again". And a token refused after a new sign-in replaced it does not stop
// the new sign-in.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { withCredentials } from '../../../src/sources/oauth/credentials.js';
import { connectClient } from '../../../src/sources/imap/session.js';
import { Pop3Client } from '../../../src/sources/pop3/index.js';
import type { ResolvedSettings } from '../../../src/sources/settings.js';
import { openTokens, signInStatus } from '../../../src/store/oauth-tokens.js';
import { getProfile, type Profile } from '../../../src/store/profiles.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { ALICE, BOB, startOAuthMailbox, type OAuthMailbox } from '../../support/oauth-mailbox.js';
import { freePort } from '../../support/ports.js';

/** Logs in (and out) over plain TCP to `port`, as the IMAP source does. */
async function imapLogin(settings: ResolvedSettings, port: number): Promise<void> {
  const { client } = await connectClient({ ...settings, port }, {});
  await client.logout();
}

/** Logs in (and out) over plain TCP to `port` with AUTH XOAUTH2, as the POP3 source does. */
async function pop3Login(settings: ResolvedSettings, port: number, localAddress?: string): Promise<void> {
  const client = await Pop3Client.connect({
    host: settings.host, port, tls: 'none', login: settings.login, accessToken: settings.accessToken!, timeoutMs: 10_000,
    ...(localAddress ? { localAddress } : {}),
  });
  await client.quit();
}

describe('which login failures count against an OAuth2 sign-in', { skip: dovecotSkip() }, () => {
  let rig: OAuthMailbox;
  /** A Dovecot whose token introspection points where nothing answers: its authentication backend is down. */
  let backendDown: Dovecot;
  before(async () => {
    rig = await startOAuthMailbox({ accounts: [ALICE, BOB], disablePlaintextAuth: true });
    backendDown = await startDovecot({
      users: [{ user: ALICE, password: 'alicepw' }],
      oauth2: { introspectionUrl: `http://rs:secret@127.0.0.1:${await freePort()}/token/introspection` },
    });
  });
  after(async () => {
    await backendDown?.stop();
    await rig?.cleanup();
  });

  /** Runs `work` through withCredentials for a freshly signed-in profile; returns its error and what it did to the sign-in. */
  async function outcome(
    name: string, work: (settings: ResolvedSettings, profile: Profile) => Promise<void>, options: { login?: string; protocol?: 'imap' | 'pop3' } = {},
  ) {
    const profile = await rig.addProfile(name, options);
    const issued = await rig.signIn(profile);
    const refreshes = rig.op.refreshGrants();
    const error = await withCredentials(rig.ctx, await getProfile(rig.t.store.db, profile.id), (s) => work(s, profile))
      .then(() => assert.fail('the login should fail'), (e: Error) => e);
    return { profile, issued, error, refreshed: rig.op.refreshGrants() - refreshes, status: await signInStatus(rig.t.store.db, profile.id) };
  }

  test('a login refused for want of TLS is not the token\'s fault: no refresh, the sign-in stays ok, the server\'s words are kept', async () => {
    const { error, refreshed, status } = await outcome('needs-tls', (s) => pop3Login(s, rig.dc.ports.pop3, '127.0.0.5'), { protocol: 'pop3' });
    assert.match(error.message, /Plaintext authentication disabled/);
    assert.doesNotMatch(error.message, /sign in again/);
    assert.equal(refreshed, 0, 'no forced refresh');
    assert.deepEqual([status?.state, status?.lastError], ['ok', null]);
  });

  for (const protocol of ['imap', 'pop3'] as const) {
    test(`${protocol}: the mail server's authentication backend down is a poll error, not a refused token`, async () => {
      const work = protocol === 'imap' ? (s: ResolvedSettings) => imapLogin(s, backendDown.ports.imap) : (s: ResolvedSettings) => pop3Login(s, backendDown.ports.pop3);
      const { error, refreshed, status } = await outcome(`backend-down-${protocol}`, work, { protocol });
      assert.match(error.message, /Temporary authentication failure/);
      assert.equal(refreshed, 0, 'no forced refresh');
      assert.deepEqual([status?.state, status?.lastError], ['ok', null]);
    });
  }

  test('a token refused even after the refresh, but replaced meanwhile by a new sign-in, leaves the new sign-in alone', async () => {
    let attempts = 0;
    let signedIn: Awaited<ReturnType<OAuthMailbox['signIn']>> | undefined;
    // The mailbox logs in as bob with alice's token: refused, however fresh. Before the second try, a new sign-in.
    const { profile, error, refreshed, status } = await outcome('replaced-meanwhile', async (s, p) => {
      if (++attempts === 2) signedIn = await rig.signIn(p);
      await imapLogin(s, rig.dc.ports.imap);
    }, { login: BOB });
    assert.equal(attempts, 2);
    assert.equal(refreshed, 1, 'one forced refresh for the first refusal');
    assert.match(error.message, /the server refused the login or password/, "the server's refusal, as a poll error");
    assert.doesNotMatch(error.message, /sign in again/);
    assert.deepEqual([status?.state, status?.lastError], ['ok', null], 'the new sign-in is not stopped by the old token\'s refusal');
    assert.equal((await openTokens(rig.t.store.db, rig.secrets, profile.id))?.accessToken, signedIn?.accessToken);
  });
});
