// OAuth2 mailbox settings over the API: the fields go in and come back, the client secret is write-only
// (answers say hasClientSecret) and documented so; a new app or provider needs the secret again unless
// it is cleared (null, a public client); the provider's server is shown as the effective host.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../support/store.js';
import { openTestServer, type TestServer } from '../support/http.js';

const SECRET = 'client-Secret-zz81kq';

for (const dialect of await dialects()) {
  describe(`OAuth2 settings over the API (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await openTestServer(dialect);
    });
    after(() => s.close());

    test('the settings go in and come back; the client secret only as hasClientSecret', async () => {
      const source = {
        protocol: 'imap', auth: 'oauth2', oauthProvider: 'microsoft', oauthClientId: '00000000-aaaa', oauthClientSecret: SECRET,
        oauthIssuer: 'https://login.microsoftonline.com/tenant-1/v2.0', oauthScopes: 'openid email offline_access https://outlook.office.com/IMAP.AccessAsUser.All',
      };
      const created = await s.call('/api/v1/profiles', { json: { name: 'entra', source } });
      assert.equal(created.status, 201, created.text);
      const view = created.json.profile.source;
      assert.equal(view.auth, 'oauth2');
      assert.equal(view.oauthProvider, 'microsoft');
      assert.equal(view.oauthClientId, '00000000-aaaa');
      assert.equal(view.oauthIssuer, 'https://login.microsoftonline.com/tenant-1/v2.0');
      assert.equal(view.oauthScopes, source.oauthScopes);
      assert.equal(view.hasClientSecret, true);
      assert.equal(view.effectiveHost, 'outlook.office365.com');
      assert.equal(view.host, undefined);
      assert.equal(created.json.profile.signIn, null);
      for (const answer of [created, await s.call(`/api/v1/profiles/${created.json.profile.id}`), await s.call('/api/v1/profiles')]) {
        assert.ok(!answer.text.includes(SECRET), 'the secret is never answered');
        assert.ok(!answer.text.includes('oauthClientSecret'), 'not even sealed');
      }
    });

    test('a new client ID needs the secret again; clearing it (null) does not', async () => {
      const id = (await s.call('/api/v1/profiles')).json.profiles.find((p: { name: string }) => p.name === 'entra').id as number;
      const moved = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { source: { oauthClientId: 'another-app' } } });
      assert.equal(moved.status, 400);
      assert.deepEqual(moved.json.errors.map((e: { field: string }) => e.field), ['oauthClientSecret']);
      const cleared = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { source: { oauthClientId: 'another-app', oauthClientSecret: null } } });
      assert.equal(cleared.status, 200, cleared.text);
      assert.equal(cleared.json.profile.source.hasClientSecret, false);
      assert.equal(cleared.json.profile.source.oauthClientId, 'another-app');
    });

    test('a missing provider setting is named by its field', async () => {
      const answer = await s.call('/api/v1/profiles', { json: { name: 'half', source: { protocol: 'imap', host: 'h', auth: 'oauth2', oauthProvider: 'custom' } } });
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.json.errors.map((e: { field: string }) => e.field).sort(), ['oauthClientId', 'oauthIssuer']);
    });

    test('the document marks the client secret write-only and describes the sign-in routes', async () => {
      const doc = (await s.call('/api/v1/openapi.json')).json;
      const input = doc.components.schemas.MailboxSettingsInput.properties;
      assert.equal(input.oauthClientSecret.writeOnly, true);
      assert.ok(!('oauthClientSecret' in doc.components.schemas.Mailbox.properties));
      assert.ok(doc.components.schemas.Mailbox.properties.hasClientSecret);
      assert.ok(doc.components.schemas.Profile.properties.signIn);
      assert.equal(doc.paths['/api/v1/profiles/{id}/sign-in'].post['x-access'], 'admin');
      assert.equal(doc.paths['/oauth/callback'].get.security, undefined);
    });
  });
}
