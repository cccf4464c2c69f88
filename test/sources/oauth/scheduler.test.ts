// OAuth2 mailboxes in the scheduler, against real Dovecot and the real provider, with access tokens that
// live 3 s: polls over many expiries never fail (each stale token is refreshed before its login, a fresh
// one is used as it is), the rotated refresh token is the one stored and the old one is never used again;
// the IDLE watcher reconnects with a fresh token and is not restarted when the token changes; a revoked
// grant stops the sign-in (Check Connection says to sign in again, the provider is not asked at every
// poll) while a password profile on the same Dovecot keeps flowing, and a new sign-in polls at once.
import { after, before, beforeEach, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSavedProfile } from '../../../src/app/check.js';
import { Scheduler, type SourceFactory } from '../../../src/sources/scheduler.js';
import { defaultSources } from '../../../src/sources/registry.js';
import { getStatus } from '../../../src/sources/status.js';
import { listInboxItems } from '../../../src/store/inbox.js';
import { openTokens, signInStatus } from '../../../src/store/oauth-tokens.js';
import type { Profile } from '../../../src/store/profiles.js';
import { dovecotSkip } from '../../support/dovecot.js';
import { memoryLog, type MemoryLog } from '../../support/memory-log.js';
import { makeMessage } from '../../support/messages.js';
import { CAROL, startOAuthMailbox, type OAuthMailbox } from '../../support/oauth-mailbox.js';
import { processorFor } from '../../support/processor.js';
import { waitFor } from '../../support/wait.js';

// An account per test: each profile reads a mailbox of its own.
const [SHORT, WATCHED, REVOKED] = ['short@example.test', 'watched@example.test', 'revoked@example.test'];

interface Outcome {
  profileId: number;
  error?: string;
}

describe('OAuth2 mailboxes in the scheduler', { skip: dovecotSkip() }, () => {
  let rig: OAuthMailbox;
  let scheduler: Scheduler | undefined;
  let outcomes: Outcome[];
  let log: MemoryLog;
  let watchersStarted: number;

  before(async () => {
    rig = await startOAuthMailbox({ accounts: [SHORT, WATCHED, REVOKED], provider: { accessTokenTtlSeconds: 3 } });
  });
  after(() => rig?.cleanup());
  beforeEach(() => {
    outcomes = [];
    log = memoryLog();
    watchersStarted = 0;
  });
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
  });

  /** The scheduler as the service runs it, over every profile of the rig, counting the watchers it starts. */
  async function startScheduler(): Promise<Scheduler> {
    const processor = processorFor(rig.t.store);
    const sources: SourceFactory = {
      source: (settings, extras) => defaultSources.source(settings, extras),
      watch: (...args) => {
        watchersStarted += 1;
        return defaultSources.watch!(...args);
      },
    };
    scheduler = new Scheduler({
      store: rig.t.store, secrets: rig.secrets, sources, logger: log.logger, refreshMs: 200,
      afterIntake: async (p) => void (await processor.processDue({ profileId: p.id })),
      onPoll: (p, outcome) => void outcomes.push({ profileId: p.id, ...(outcome.error ? { error: outcome.error } : {}) }),
    });
    await scheduler.start();
    return scheduler;
  }

  const pollsOf = (profile: Profile) => outcomes.filter((o) => o.profileId === profile.id);
  /** Polls `profile` now and waits for the outcome. */
  async function pollNow(profile: Profile): Promise<Outcome> {
    const seen = pollsOf(profile).length;
    scheduler!.trigger(profile.id);
    return waitFor(() => pollsOf(profile)[seen], { what: () => `a poll of ${profile.name} (${seen} so far)`, timeoutMs: 20_000 });
  }
  const subjects = async (profile: Profile) => (await listInboxItems(rig.t.store.db, { profileId: profile.id })).map((i) => i.subject);
  const introspectionFailures = async () => (await rig.dc.log()).match(/Introspection failed/g)?.length ?? 0;

  test('tokens of 3 s over three expiries: refreshed before each login that needed it, never a failed poll; the rotated refresh token is stored', async () => {
    const profile = await rig.addProfile('short-lived');
    const issued = await rig.signIn(profile, SHORT);
    const [failed, refused] = [rig.op.failedRefreshGrants(), await introspectionFailures()];
    await startScheduler();
    await waitFor(() => pollsOf(profile).length > 0, { what: 'the first poll' });
    const refreshes = rig.op.refreshGrants();
    const rounds = 3;
    // Each round outlives the stored token (openid-client rounds expires_in down, so a 3 s token is stored
    // for 2 or 3 s): what is asserted is one refresh per stored lifetime, and no failed poll, never a span
    // of wall-clock time.
    const expiries: string[] = [];
    for (let round = 1; round <= rounds; round++) {
      // Let the token run out, then poll twice: the first poll refreshes before it logs in, the second
      // finds the new token fresh and uses it as it is.
      const { accessExpiresAt } = (await signInStatus(rig.t.store.db, profile.id))!;
      expiries.push(accessExpiresAt);
      await waitFor(() => Date.now() > Date.parse(accessExpiresAt), { what: `token ${round} to run out`, intervalMs: 100 });
      await rig.dc.deliver(SHORT, makeMessage({ subject: `round ${round}` }));
      await pollNow(profile);
      await pollNow(profile);
    }
    expiries.push((await signInStatus(rig.t.store.db, profile.id))!.accessExpiresAt);
    assert.deepEqual([...expiries].sort(), expiries, 'each round ran on a token stored after the previous one');
    assert.equal(new Set(expiries).size, rounds + 1, 'a new token per lifetime');
    const polls = pollsOf(profile);
    assert.deepEqual(polls.filter((o) => o.error), [], 'no poll failed');
    assert.equal(polls.length, 1 + 2 * rounds);
    assert.equal(rig.op.refreshGrants() - refreshes, rounds, 'one refresh per lifetime, not one per poll');
    assert.equal(rig.op.failedRefreshGrants(), failed);
    assert.equal(await introspectionFailures(), refused, 'Dovecot never saw a stale token');
    assert.deepEqual((await subjects(profile)).sort(), ['round 1', 'round 2', 'round 3']);
    const status = await getStatus(rig.t.store.db, profile.id);
    assert.deepEqual([status.consecutiveFailures, status.lastError], [0, null]);

    // Rotation: what is stored is the provider's newest refresh token; the one the sign-in gave is dead,
    // and no refresh ever presented a spent one (the failed refreshes above stayed the same).
    const stored = await openTokens(rig.t.store.db, rig.secrets, profile.id);
    assert.notEqual(stored!.refreshToken, issued.refreshToken);
    assert.equal((await rig.op.introspect(stored!.refreshToken!)).active, true, 'the stored refresh token is live at the provider');
    assert.equal((await rig.op.introspect(issued.refreshToken!)).active, false, 'the first one was spent by the first refresh');
  });

  test('the IDLE watcher reconnects with a fresh token, and is not restarted when the token changes', async () => {
    const profile = await rig.addProfile('watched', { idle: true });
    await rig.signIn(profile, WATCHED);
    const s = await startScheduler();
    await waitFor(() => s.idleConnections() === 1, { what: 'the watcher to connect', timeoutMs: 20_000 });
    const { accessExpiresAt } = (await signInStatus(rig.t.store.db, profile.id))!;
    await waitFor(() => Date.now() > Date.parse(accessExpiresAt), { what: 'the watcher\'s token to run out', intervalMs: 100 });
    // A poll meanwhile refreshes the token: the watcher keeps its connection.
    const before = await openTokens(rig.t.store.db, rig.secrets, profile.id);
    assert.equal((await pollNow(profile)).error, undefined);
    assert.notEqual((await openTokens(rig.t.store.db, rig.secrets, profile.id))!.version, before!.version);
    assert.equal(s.idleConnections(), 1);
    // Its token is long dead when the server drops the connection; it must log in with a new one.
    const { accessExpiresAt: second } = (await signInStatus(rig.t.store.db, profile.id))!;
    await waitFor(() => Date.now() > Date.parse(second), { what: 'the refreshed token to run out too', intervalMs: 100 });
    const [refused, mark] = [await introspectionFailures(), (await rig.dc.log()).length];
    await rig.dc.doveadm(['kick', WATCHED]);
    await waitFor(async () => /imap-login: Info: Login: user=<watched@example\.test>/.test((await rig.dc.log()).slice(mark)) && s.idleConnections() === 1, {
      what: async () => `the watcher to log in again (log since the kick:\n${(await rig.dc.log()).slice(mark)})`,
      timeoutMs: 20_000,
    });
    assert.equal(await introspectionFailures(), refused, 'no login with a stale token');
    assert.equal(watchersStarted, 1, 'one watcher all along');
    assert.ok(log.find('IMAP watcher could not connect').length === 0, 'the reconnect worked at its first try');
  });

  test('a revoked grant stops the sign-in; Check Connection says to sign in again; a password profile keeps flowing; a new sign-in polls at once', async () => {
    const revoked = await rig.addProfile('revoked');
    const carol = await rig.addPasswordProfile('carol');
    await rig.signIn(revoked, REVOKED);
    await startScheduler();
    await waitFor(() => pollsOf(revoked).length > 0 && pollsOf(carol).length > 0, { what: 'the first polls of both' });
    const failed = rig.op.failedRefreshGrants();
    assert.ok((await rig.op.revokeGrantsOf(REVOKED)) >= 1);
    await rig.dc.deliver(REVOKED, makeMessage({ subject: 'held while stopped' }));

    const stop = await pollNow(revoked);
    assert.match(stop.error ?? '', /the refresh token was revoked or has expired — sign in again/);
    assert.equal(rig.op.failedRefreshGrants(), failed + 1);
    const status = await signInStatus(rig.t.store.db, revoked.id);
    assert.equal(status?.state, 'stopped');
    assert.match(status?.lastError ?? '', /sign in again/);

    // Further polls fail with the stop's words without asking the provider; the backoff grows as for any failure.
    const again = await pollNow(revoked);
    assert.match(again.error ?? '', /sign in again/);
    assert.equal(rig.op.failedRefreshGrants(), failed + 1, 'the provider is not asked at every poll');
    assert.equal((await getStatus(rig.t.store.db, revoked.id)).consecutiveFailures, 2);

    await rig.dc.deliver(CAROL, makeMessage({ subject: 'for carol, flowing' }));
    assert.equal((await pollNow(carol)).error, undefined);
    assert.deepEqual(await subjects(carol), ['for carol, flowing']);

    const check = await checkSavedProfile(rig.app, revoked.name);
    assert.equal(check.ok, false);
    assert.deepEqual(check.steps.map((st) => [st.step, st.ok, st.field]), [['token', false, 'oauth']]);
    assert.match(check.steps[0]!.message, /the refresh token was revoked or has expired — sign in again/);
    assert.equal(rig.op.failedRefreshGrants(), failed + 2, 'a check tries once');

    // Signing in again is enough: the scheduler sees the new sign-in and polls, without waiting out its backoff.
    const polls = pollsOf(revoked).length;
    await rig.signIn(revoked, REVOKED);
    await waitFor(() => pollsOf(revoked).length > polls && !pollsOf(revoked).at(-1)!.error, { what: 'a poll after the new sign-in', timeoutMs: 20_000 });
    assert.deepEqual(await subjects(revoked), ['held while stopped']);
    assert.equal((await signInStatus(rig.t.store.db, revoked.id))?.state, 'ok');
  });
});
