// Secrets never leak: a scenario with a mailbox password, an account password, an intake token and API
// tokens, then every response body and header and every log line is searched. A token appears only in
// the one answer that creates it (shown once); passwords appear nowhere. The same for an OAuth2
// mailbox: its client secret and the access and refresh tokens of its sign-in appear in no answer,
// audit entry, alert, error or log line.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AlertMonitor } from '../../src/app/alerts.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { accessTokenFor } from '../../src/sources/oauth/access-tokens.js';
import { oauthAppOf } from '../../src/sources/oauth/app.js';
import { validateSettings } from '../../src/sources/settings.js';
import { saveSignIn } from '../../src/store/oauth-tokens.js';
import { getProfile } from '../../src/store/profiles.js';
import { freePort } from '../support/ports.js';
import { dialects } from '../support/store.js';
import { openTestServer, type TestServer } from '../support/http.js';

const MAILBOX_PASSWORD = 'mailbox-Secret-7f3k2q9';
const ACCOUNT_PASSWORD = 'account-Secret-x81bd0q';
const NEW_MAILBOX_PASSWORD = 'mailbox-Changed-0pq1zz';
const CLIENT_SECRET = 'client-Secret-m4q8z1v';
const NEW_CLIENT_SECRET = 'client-Changed-7hx0pe';
const ACCESS_TOKEN = 'access-Token-Marker-2v9kd0';
const REFRESH_TOKEN = 'refresh-Token-Marker-5nq1ra';

for (const dialect of await dialects()) {
  describe(`secrets stay secret (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await openTestServer(dialect);
    });
    after(() => s.close());

    test('no password or token appears in any answer (but its own creation) or any log line', async () => {
      const source = { protocol: 'imap', host: '127.0.0.1', port: 1, tls: 'none', login: 'alice', password: MAILBOX_PASSWORD };
      const created = await s.call('/api/v1/profiles', { json: { name: 'secretive', source } });
      assert.equal(created.status, 201, created.text);
      const id = created.json.profile.id as number;
      assert.equal(created.json.profile.source.hasPassword, true);
      await s.call(`/api/v1/profiles/${id}`);
      await s.call('/api/v1/profiles');
      await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { source: { password: NEW_MAILBOX_PASSWORD } } });
      await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { source: { host: '' } } }); // a 400 that must not echo the settings
      await s.call('/api/v1/profiles/check', { json: { source } }); // fails to connect: its message must not carry the password
      await s.call(`/api/v1/profiles/${id}/check`, { method: 'POST' });
      const intake = await s.call(`/api/v1/profiles/${id}/intake-token`, { method: 'POST' });
      const intakeToken = intake.json.token as string;
      await s.call(`/api/v1/intake/${id}`, { token: intakeToken, body: 'not mail', contentType: 'message/rfc822' });
      const account = await s.call('/api/v1/accounts', { json: { name: 'carol', role: 'viewer', password: ACCOUNT_PASSWORD } });
      assert.equal(account.status, 201, account.text);
      await s.call('/api/v1/accounts/carol', { method: 'PATCH', json: { password: ACCOUNT_PASSWORD + '-2' } });
      const login = await s.call('/api/v1/session', { token: null, json: { name: 'carol', password: ACCOUNT_PASSWORD + '-2' } });
      assert.equal(login.status, 200);
      await s.call('/api/v1/session', { token: null, json: { name: 'carol', password: ACCOUNT_PASSWORD } }); // wrong now
      const apiToken = await s.call('/api/v1/tokens', { json: { name: 'ci', role: 'viewer' } });
      const token = apiToken.json.token as string;
      await s.call('/api/v1/profiles', { token });
      await s.call('/api/v1/tokens');
      await s.call('/api/v1/audit');
      await s.call('/api/v1/openapi.json');
      await s.call('/api/v1/messages');

      const secrets: Array<[string, string, number]> = [
        ['the mailbox password', MAILBOX_PASSWORD, 0],
        ['the changed mailbox password', NEW_MAILBOX_PASSWORD, 0],
        ['the account password', ACCOUNT_PASSWORD, 0],
        ['the intake token', intakeToken, 1],
        ['the API token', token, 1],
        ['the test admin token', s.adminToken, 0],
      ];
      const everything = s.answers.map((a) => a.text + '\n' + [...a.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n'));
      const logLines = s.log.records.map((r) => JSON.stringify(r));
      for (const [what, secret, shownIn] of secrets) {
        const answers = everything.filter((text) => text.includes(secret)).length;
        assert.equal(answers, shownIn, `${what} appears in ${answers} answers`);
        assert.equal(logLines.filter((line) => line.includes(secret)).length, 0, `${what} appears in the log`);
      }
      const sessionCookie = login.headers.get('set-cookie')!.split(';')[0]!.split('=')[1]!;
      assert.equal(logLines.filter((line) => line.includes(sessionCookie)).length, 0, 'the session cookie appears in the log');
      assert.equal(s.log.find('request').length, s.answers.length, 'every request was logged, one line each');
    });

    test('an OAuth2 mailbox: no client secret, access token or refresh token in any answer, audit entry, alert, error or log line', async () => {
      // Nothing here reaches beyond this machine: the provider and the mailbox are closed loopback ports.
      const closed = await freePort();
      const source = {
        protocol: 'imap', host: '127.0.0.1', port: closed, tls: 'none',
        auth: 'oauth2', oauthProvider: 'custom', oauthClientId: 'mailbind-test', oauthClientSecret: CLIENT_SECRET, oauthIssuer: `http://127.0.0.1:${closed}`,
      } as const;
      // Made by the use case every face shares, so the scan has a stored secret and a sign-in whatever
      // the API takes; the API gets the same settings too.
      const { profile } = await createProfile(s.app, { name: 'signed-in', source }, cliPrincipal('test-setup'));
      const id = profile.id;
      const stored = validateSettings((await getProfile(s.t.store.db, id)).source);
      await saveSignIn(s.t.store.db, s.app.secrets(), id, {
        account: 'alice@example.test', subject: 'sub-1', accessToken: ACCESS_TOKEN,
        accessExpiresAt: new Date(Date.now() + 3_600_000).toISOString(), refreshToken: REFRESH_TOKEN, scope: 'openid email imap',
        destination: oauthAppOf(stored, s.app.secrets())!.destination,
      });
      // A refresh that fails (the provider cannot be reached): its error is recorded, shown and alerted.
      const refresh = await accessTokenFor({ db: s.t.store.db, secrets: s.app.secrets() }, id, oauthAppOf(stored, s.app.secrets())!, { force: true })
        .then(() => assert.fail('the refresh cannot work'), (error: Error) => error.message);
      const monitor = new AlertMonitor(s.app, s.log.logger);
      await monitor.check();
      await monitor.stop();

      await s.call('/api/v1/profiles', { json: { name: 'oauth-api', source } });
      await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { source: { oauthClientSecret: NEW_CLIENT_SECRET } } });
      await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { source: { host: '', oauthClientSecret: NEW_CLIENT_SECRET } } }); // a 400
      await s.call('/api/v1/profiles/check', { json: { source } });
      await s.call(`/api/v1/profiles/${id}/check`, { method: 'POST' });
      const shown = await s.call(`/api/v1/profiles/${id}`);
      assert.equal(shown.json.source.hasClientSecret, true, shown.text);
      assert.equal(shown.json.source.oauthClientSecret, undefined, 'not even sealed');
      const status = await s.call(`/api/v1/profiles/${id}/status`);
      assert.equal(status.json.signIn.account, 'alice@example.test', 'the scan covers a signed-in mailbox');
      assert.equal(status.json.signIn.state, 'failing', status.text);
      assert.equal(status.json.signIn.lastError, refresh);
      assert.match(refresh, /^cannot reach the provider while discovering the provider at http:\/\/127\.0\.0\.1:\d+: nothing accepts connections at its address \(ECONNREFUSED\)$/);
      await s.call('/api/v1/status');
      await s.call('/api/v1/profiles');
      await s.call('/api/v1/audit');
      await s.call('/metrics');

      const everything = s.answers.map((a) => a.text + '\n' + [...a.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n'));
      const logLines = s.log.records.map((r) => JSON.stringify(r));
      const audit = (await s.t.store.db.selectFrom('audit_log').selectAll().execute()).map((row) => JSON.stringify(row));
      assert.ok(audit.some((row) => row.includes('signed-in')), 'the profile is in the audit log');
      assert.ok(s.log.find('alert').some((r) => r.event === 'sign-in.failing'), 'the failing sign-in was alerted (in the log, without a webhook)');
      for (const [what, secret] of [
        ['the client secret', CLIENT_SECRET],
        ['the changed client secret', NEW_CLIENT_SECRET],
        ['the access token', ACCESS_TOKEN],
        ['the refresh token', REFRESH_TOKEN],
      ] as const) {
        assert.equal(everything.filter((text) => text.includes(secret)).length, 0, `${what} appears in an answer`);
        assert.equal(logLines.filter((line) => line.includes(secret)).length, 0, `${what} appears in the log`);
        assert.equal(audit.filter((row) => row.includes(secret)).length, 0, `${what} appears in the audit log`);
        assert.ok(!refresh.includes(secret), `${what} appears in the refresh's error`);
      }
    });
  });
}
