// Sign-in and sessions: the same answer for an unknown name and a wrong password, the limiter in
// front of the password check, idle and absolute expiry (time is moved through `now`, not waited
// for), and sessions that really end: at sign-out, at a password change, with the account.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addAccount, removeAccount, setAccountPassword, setAccountRole } from '../../src/app/accounts.js';
import { assemble, type App } from '../../src/app/app.js';
import { AppError } from '../../src/app/errors.js';
import { LoginLimiter } from '../../src/app/login-limiter.js';
import { endSession, login, resumeSession } from '../../src/app/sessions.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const MINUTE = 60_000;
const who = cliPrincipal('test');

async function loginError(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(() => assert.fail('expected sign-in to fail'), (e: unknown) => e);
  assert.ok(error instanceof AppError, String(error));
  return error;
}

for (const dialect of await dialects()) {
  describe(`sessions (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    let at: number;
    const now = () => at;
    const limiter = () => new LoginLimiter({ perAccount: 3, perIp: 50 });

    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store);
      await addAccount(app, { name: 'alice', role: 'admin', password: 'alice-password' }, who);
      await addAccount(app, { name: 'bob', role: 'viewer', password: 'bob-password-1' }, who);
    });
    after(() => t.cleanup());

    test('the right password starts a session that resumes as the account; its secrets are random', async () => {
      at = Date.parse('2030-01-01T08:00:00Z');
      const { principal, session } = await login(app, limiter(), { name: 'Alice', password: 'alice-password', ip: '10.0.0.1' }, { now });
      assert.deepEqual({ ...principal, accountId: undefined }, { kind: 'account', name: 'alice', role: 'admin', accountId: undefined });
      assert.ok(principal.accountId);
      assert.match(session.cookieValue, /^[A-Za-z0-9_-]{43}$/);
      assert.notEqual(session.csrfToken, session.cookieValue);
      assert.equal(session.expiresAt, '2030-01-01T20:00:00.000Z', '12 hours by default');
      const resumed = await resumeSession(app, session.cookieValue, { now });
      assert.deepEqual(resumed, { principal, csrfToken: session.csrfToken, expiresAt: session.expiresAt });
      const stored = await app.store.db.selectFrom('sessions').selectAll().execute();
      assert.ok(stored.every((row) => row.id_hash !== session.cookieValue), 'the cookie itself is not stored');
      assert.equal(await resumeSession(app, session.cookieValue + 'x', { now }), null);
      assert.equal(await resumeSession(app, '', { now }), null);
    });

    test('an unknown name and a wrong password get the same answer', async () => {
      const wrong = await loginError(login(app, limiter(), { name: 'alice', password: 'not-her-password', ip: '10.0.0.2' }));
      const unknown = await loginError(login(app, limiter(), { name: 'mallory', password: 'not-her-password', ip: '10.0.0.2' }));
      for (const error of [wrong, unknown]) {
        assert.equal(error.category, 'user');
        assert.equal(error.message, 'wrong name or password');
        assert.deepEqual(error.details, {});
      }
    });

    test('after 3 failures the account is refused at that address even with the right password, until the window passes', async () => {
      let clock = 0;
      const guard = new LoginLimiter({ perAccount: 3, perIp: 50, windowMs: 10 * MINUTE, now: () => clock });
      for (let i = 0; i < 3; i++) await loginError(login(app, guard, { name: 'bob', password: 'guess-' + i, ip: '10.1.0.9' }));
      const parallel = await Promise.all(Array.from({ length: 10 }, () => loginError(login(app, guard, { name: 'bob', password: 'guess', ip: '10.1.0.9' }))));
      assert.ok(parallel.every((e) => e.category === 'rate-limited'), 'parallel guesses are refused too');
      const blocked = await loginError(login(app, guard, { name: 'bob', password: 'bob-password-1', ip: '10.1.0.9' }));
      assert.equal(blocked.category, 'rate-limited');
      assert.equal(blocked.details.retryAfterSeconds, 600);
      assert.equal(blocked.message, 'too many failed sign-ins for this account; try again in 10 minutes');
      clock += 10 * MINUTE;
      assert.equal((await login(app, guard, { name: 'bob', password: 'bob-password-1', ip: '10.1.0.9' })).principal.name, 'bob');
    });

    test('a session idle longer than MAILBIND_SESSION_IDLE_MINUTES ends; use keeps it alive', async () => {
      const env = { MAILBIND_SESSION_IDLE_MINUTES: '30' };
      at = Date.parse('2030-02-01T08:00:00Z');
      const { session } = await login(app, limiter(), { name: 'bob', password: 'bob-password-1', ip: '10.0.0.3' }, { now, env });
      at += 29 * MINUTE;
      assert.ok(await resumeSession(app, session.cookieValue, { now, env }), 'used after 29 minutes');
      at += 29 * MINUTE;
      assert.ok(await resumeSession(app, session.cookieValue, { now, env }), 'the last use counts, not the sign-in');
      at += 30 * MINUTE;
      assert.equal(await resumeSession(app, session.cookieValue, { now, env }), null, 'idle for 30 minutes');
      at -= 30 * MINUTE;
      assert.equal(await resumeSession(app, session.cookieValue, { now, env }), null, 'and it was deleted, not just refused');
    });

    test('last_seen_at is written at most once a minute', async () => {
      at = Date.parse('2030-03-01T08:00:00Z');
      const { session } = await login(app, limiter(), { name: 'bob', password: 'bob-password-1', ip: '10.0.0.4' }, { now });
      const lastSeen = async () => (await app.store.db.selectFrom('sessions').select('last_seen_at').where('expires_at', '=', session.expiresAt).executeTakeFirstOrThrow()).last_seen_at;
      at += 59_000;
      await resumeSession(app, session.cookieValue, { now });
      assert.equal(await lastSeen(), '2030-03-01T08:00:00.000Z');
      at += 1_000;
      await resumeSession(app, session.cookieValue, { now });
      assert.equal(await lastSeen(), '2030-03-01T08:01:00.000Z');
    });

    test('a session ends MAILBIND_SESSION_MAX_HOURS after sign-in however much it is used', async () => {
      const env = { MAILBIND_SESSION_MAX_HOURS: '2' };
      at = Date.parse('2030-04-01T08:00:00Z');
      const { session } = await login(app, limiter(), { name: 'bob', password: 'bob-password-1', ip: '10.0.0.5' }, { now, env });
      assert.equal(session.expiresAt, '2030-04-01T10:00:00.000Z');
      for (let i = 0; i < 7; i++) {
        at += 17 * MINUTE;
        assert.ok(await resumeSession(app, session.cookieValue, { now, env }), `use ${i}`);
      }
      at = Date.parse('2030-04-01T10:00:00Z');
      assert.equal(await resumeSession(app, session.cookieValue, { now, env }), null);
    });

    test('sign-out deletes the session: the same cookie no longer resumes', async () => {
      at = Date.now();
      const { session } = await login(app, limiter(), { name: 'bob', password: 'bob-password-1', ip: '10.0.0.6' });
      assert.ok(await resumeSession(app, session.cookieValue));
      await endSession(app, session.cookieValue);
      assert.equal(await resumeSession(app, session.cookieValue), null);
    });

    test("a new password ends the account's sessions; a role change applies to a live session", async () => {
      const first = await login(app, limiter(), { name: 'bob', password: 'bob-password-1', ip: '10.0.0.7' });
      const other = await login(app, limiter(), { name: 'alice', password: 'alice-password', ip: '10.0.0.7' });
      await setAccountRole(app, 'bob', 'admin', who);
      assert.equal((await resumeSession(app, first.session.cookieValue))?.principal.role, 'admin');
      await setAccountPassword(app, 'bob', 'bob-password-2', who);
      assert.equal(await resumeSession(app, first.session.cookieValue), null);
      assert.ok(await resumeSession(app, other.session.cookieValue), "alice's session is not touched");
      await loginError(login(app, limiter(), { name: 'bob', password: 'bob-password-1', ip: '10.0.0.7' }));
      const again = await login(app, limiter(), { name: 'bob', password: 'bob-password-2', ip: '10.0.0.7' });
      await removeAccount(app, 'bob', who);
      assert.equal(await resumeSession(app, again.session.cookieValue), null, 'a removed account has no session');
    });
  });
}
