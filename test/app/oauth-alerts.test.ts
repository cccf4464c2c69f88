// Alerts about OAuth2 sign-ins, received by a real local HTTP server: a refresh that fails while the
// access token still works ("about to stop working"), a sign-in that has stopped ("sign in again"), and
// the sign-in working again — each sent once per episode, whatever the checks in between see. States
// are driven through the token store as the refresher and the sign-in write them (the refresh itself
// is tested with a real provider elsewhere).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AlertMonitor, type Alert } from '../../src/app/alerts.js';
import { assemble, type App } from '../../src/app/app.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { saveSignIn, signInStatus, signOut, storeRefreshed, takeRefreshLease } from '../../src/store/oauth-tokens.js';
import { memoryLog } from '../support/memory-log.js';
import { destinationOf, recordFailureNow } from '../support/sign-in-rows.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { waitFor } from '../support/wait.js';

const ACCESS = 'access-Marker-alerts-3hh';
const REFRESH = 'refresh-Marker-alerts-q0v';
const UNREACHABLE = 'cannot reach the provider while refreshing the access token: ECONNREFUSED';
const REVOKED = 'the refresh token was revoked or has expired — sign in again (the provider said invalid_grant)';
const HOUR = 3_600_000;

for (const dialect of await dialects()) {
  describe(`sign-in alerts (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    let receiver: Receiver;

    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store);
      receiver = await startReceiver();
    });
    after(async () => {
      await receiver.close();
      await t.cleanup();
    });

    /** An OAuth2 mailbox, made now: too young to be silent, so only its sign-in can make alerts. */
    async function oauthMailbox(name: string): Promise<{ id: number; name: string }> {
      const source = { protocol: 'imap' as const, auth: 'oauth2' as const, oauthProvider: 'google' as const, oauthClientId: 'client-1', oauthClientSecret: 'cs-Marker-alerts' };
      const { profile } = await createProfile(app, { name, source }, cliPrincipal('test'));
      return { id: profile.id, name: profile.name };
    }
    const signIn = async (profile: { id: number }, accessExpiresAt = new Date(Date.now() + HOUR).toISOString()) =>
      saveSignIn(t.store.db, app.secrets(), profile.id, {
        account: 'alice@example.test', subject: 'sub-1', accessToken: ACCESS, accessExpiresAt, refreshToken: REFRESH, destination: await destinationOf(t.store.db, profile.id),
      });
    const about = (name: string) => receiver.delivered().map((r) => r.body as Alert).filter((a) => a.profile?.name === name);
    const events = (name: string) => about(name).map((a) => a.event);
    /** The alert number `n` about the profile, once delivered (they go out in order). */
    const nth = (name: string, n: number, what: string) => waitFor(() => about(name)[n], { what });

    test('failing, then stopped, then working again: one alert each, however many checks and failures come between', async () => {
      const profile = await oauthMailbox('gmail-box');
      const log = memoryLog();
      const monitor = new AlertMonitor(app, log.logger, { webhook: receiver.url });
      try {
        await signIn(profile);
        await monitor.check();
        await recordFailureNow(t.store.db, profile.id, { error: UNREACHABLE, stopped: false });
        await monitor.check();
        const failing = await nth('gmail-box', 0, 'the failing alert');
        const status = (await signInStatus(t.store.db, profile.id))!;
        assert.deepEqual(failing, {
          event: 'sign-in.failing',
          profile,
          reason: `the sign-in as alice@example.test is about to stop working: refreshing its access token has failed since ${status.failingSince} ` +
            `(the access token works until ${status.accessExpiresAt}): ${UNREACHABLE}`,
          at: failing.at,
          details: {
            account: 'alice@example.test',
            state: 'failing',
            failingSince: status.failingSince,
            accessExpiresAt: status.accessExpiresAt,
            lastError: UNREACHABLE,
            refreshFailures: 1,
            hasRefreshToken: true,
          },
        });
        // Still failing: nothing new, however often it fails and is checked.
        await recordFailureNow(t.store.db, profile.id, { error: UNREACHABLE, stopped: false });
        await monitor.check();
        await monitor.check();

        await recordFailureNow(t.store.db, profile.id, { error: REVOKED, stopped: true });
        await monitor.check();
        await monitor.check();
        const stopped = await nth('gmail-box', 1, 'the stopped alert');
        assert.equal(stopped.event, 'sign-in.stopped');
        assert.equal(stopped.reason, `the sign-in as alice@example.test has stopped: ${REVOKED}; sign in from the profile page or with \`mailbind profile signin gmail-box\``);
        assert.equal(stopped.details.state, 'stopped');
        // A forced refresh (Check Connection) that then fails for another reason is the same episode.
        await recordFailureNow(t.store.db, profile.id, { error: UNREACHABLE, stopped: false });
        await monitor.check();

        await signIn(profile);
        await monitor.check();
        await monitor.check();
        const recovered = await nth('gmail-box', 2, 'the recovered alert');
        assert.equal(recovered.event, 'sign-in.recovered');
        assert.equal(recovered.reason, 'the sign-in as alice@example.test works again');
        assert.equal(recovered.details.state, 'ok');

        // A new episode: failing again, then a refresh that works.
        await recordFailureNow(t.store.db, profile.id, { error: UNREACHABLE, stopped: false });
        await monitor.check();
        await nth('gmail-box', 3, 'the second failing alert');
        assert.ok(await takeRefreshLease(t.store.db, profile.id, 'refresher', 60_000));
        assert.ok(await storeRefreshed(t.store.db, app.secrets(), profile.id, 'refresher', { accessToken: ACCESS + '-2', accessExpiresAt: new Date(Date.now() + HOUR).toISOString() }));
        await monitor.check();
        await nth('gmail-box', 4, 'the second recovered alert');
      } finally {
        await monitor.stop();
      }
      assert.deepEqual(events('gmail-box'), ['sign-in.failing', 'sign-in.stopped', 'sign-in.recovered', 'sign-in.failing', 'sign-in.recovered']);
      assert.equal(log.find('alert').length, 5, 'each alert said in the log too');
      const everything = JSON.stringify(receiver.requests.map((r) => r.body)) + JSON.stringify(log.records);
      for (const secret of [ACCESS, REFRESH, 'cs-Marker-alerts']) assert.ok(!everything.includes(secret), `an alert or the log holds ${secret}`);
    });

    test('a refresh failing after the access token expired says the mailbox is not read until a refresh works', async () => {
      const profile = await oauthMailbox('expired');
      const monitor = new AlertMonitor(app, memoryLog().logger, { webhook: receiver.url });
      const expired = new Date(Date.now() - 60_000).toISOString();
      try {
        await signIn(profile, expired);
        await recordFailureNow(t.store.db, profile.id, { error: UNREACHABLE, stopped: false });
        await monitor.check();
        const failing = await nth('expired', 0, 'the failing alert');
        const { failingSince } = (await signInStatus(t.store.db, profile.id))!;
        assert.equal(failing.event, 'sign-in.failing');
        assert.equal(
          failing.reason,
          `the sign-in as alice@example.test does not work for now: refreshing its access token has failed since ${failingSince} and the access token ` +
            `expired at ${expired}, so the mailbox is not read until a refresh works: ${UNREACHABLE}`,
        );
      } finally {
        await monitor.stop();
      }
    });

    test('stopped because the provider refused the app: the alert says what to fix in the profile, not to sign in', async () => {
      const profile = await oauthMailbox('app-refused');
      const monitor = new AlertMonitor(app, memoryLog().logger, { webhook: receiver.url });
      const refused = 'the provider refused the app: check the client ID and client secret in the profile (invalid_client)';
      try {
        await signIn(profile);
        await recordFailureNow(t.store.db, profile.id, { error: refused, stopped: true, code: 'invalid_client' });
        await monitor.check();
        const stopped = await nth('app-refused', 0, 'the stopped alert');
        assert.equal(stopped.reason, `the sign-in as alice@example.test has stopped: ${refused}`);
      } finally {
        await monitor.stop();
      }
    });

    test('signed out while stopped (its app or mailbox changed): quiet until the next sign-in, which clears the alert', async () => {
      const profile = await oauthMailbox('moved');
      const monitor = new AlertMonitor(app, memoryLog().logger, { webhook: receiver.url });
      try {
        await signIn(profile);
        await recordFailureNow(t.store.db, profile.id, { error: REVOKED, stopped: true });
        await monitor.check();
        await nth('moved', 0, 'the stopped alert');
        await signOut(t.store.db, profile.id);
        await monitor.check();
        await monitor.check();
        await signIn(profile);
        await monitor.check();
        await nth('moved', 1, 'the recovered alert');
      } finally {
        await monitor.stop();
      }
      assert.deepEqual(events('moved'), ['sign-in.stopped', 'sign-in.recovered']);
    });

    test('what a first check finds: a stopped sign-in is announced (after a restart too), a working one or none at all is not', async () => {
      const stopped = await oauthMailbox('was-stopped');
      const fine = await oauthMailbox('fine');
      await oauthMailbox('never-signed-in');
      await signIn(stopped);
      await recordFailureNow(t.store.db, stopped.id, { error: REVOKED, stopped: true });
      await signIn(fine);
      const first = new AlertMonitor(app, memoryLog().logger, { webhook: receiver.url });
      try {
        await first.check();
        await nth('was-stopped', 0, 'the stopped alert');
      } finally {
        await first.stop();
      }
      // A restarted process knows nothing of what was sent: it says it once more, once.
      const second = new AlertMonitor(app, memoryLog().logger, { webhook: receiver.url });
      try {
        await second.check();
        await second.check();
        await nth('was-stopped', 1, 'the stopped alert after a restart');
      } finally {
        await second.stop();
      }
      assert.deepEqual(events('was-stopped'), ['sign-in.stopped', 'sign-in.stopped']);
      assert.deepEqual(events('fine'), []);
      assert.deepEqual(events('never-signed-in'), [], 'not signed in yet is not an alert of its own (its polls fail, and that is one)');
    });
  });
}
