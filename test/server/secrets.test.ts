// Secrets never leak: a scenario with a mailbox password, an account password, an intake token and API
// tokens, then every response body and header and every log line is searched. A token appears only in
// the one answer that creates it (shown once); passwords appear nowhere.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../support/store.js';
import { openTestServer, type TestServer } from '../support/http.js';

const MAILBOX_PASSWORD = 'mailbox-Secret-7f3k2q9';
const ACCOUNT_PASSWORD = 'account-Secret-x81bd0q';
const NEW_MAILBOX_PASSWORD = 'mailbox-Changed-0pq1zz';

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
  });
}
