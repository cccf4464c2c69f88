// OAuth2 mailbox settings (issue 13): what an oauth2 profile must name, what the presets fill in, the
// client secret sealed and reused only where it was set for, and the sign-in destination that decides
// when stored tokens must be dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeStoredSettings, settingsToStore, signInDestination } from '../../src/sources/profile-settings.js';
import { mailScopes, requestedScopes } from '../../src/sources/oauth/presets.js';
import { resolveSettings, SettingsError, validateSettings } from '../../src/sources/settings.js';
import { SecretBox } from '../../src/store/secrets.js';

function withBox(run: (box: SecretBox) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-oauth-settings-'));
  try {
    run(SecretBox.forDataDir(dir, {}));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fieldsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof SettingsError, String(error));
    return error.fields.map((f) => f.field);
  }
  assert.fail('expected a SettingsError');
}

test('an oauth2 mailbox needs a provider and a client ID, not a password or a login', () => {
  assert.deepEqual(fieldsOf(() => validateSettings({ protocol: 'imap', host: 'mail.example.com', auth: 'oauth2' })), ['oauthProvider', 'oauthClientId']);
  const valid = validateSettings({ protocol: 'imap', auth: 'oauth2', oauthProvider: 'google', oauthClientId: 'abc.apps.googleusercontent.com' });
  assert.equal(valid.password, undefined);
  assert.equal(valid.login, undefined);
  // The password method keeps asking for both, in the words it always used.
  assert.deepEqual(fieldsOf(() => validateSettings({ protocol: 'imap', host: 'h' })), ['login', 'password']);
});

test('the presets fill in their mail servers; a custom provider must name its server and where to sign in', () => {
  const google = validateSettings({ protocol: 'pop3', auth: 'oauth2', oauthProvider: 'google', oauthClientId: 'id' });
  assert.equal(resolveSettings(google, '').host, 'pop.gmail.com');
  const microsoft = validateSettings({ protocol: 'imap', auth: 'oauth2', oauthProvider: 'microsoft', oauthClientId: 'id' });
  assert.equal(resolveSettings(microsoft, '').host, 'outlook.office365.com');
  assert.equal(resolveSettings(microsoft, '').port, 993);
  assert.deepEqual(fieldsOf(() => validateSettings({ protocol: 'imap', auth: 'oauth2', oauthProvider: 'custom', oauthClientId: 'id' })), ['host', 'oauthIssuer']);
  assert.deepEqual(
    fieldsOf(() => validateSettings({ protocol: 'imap', host: 'h', auth: 'oauth2', oauthProvider: 'custom', oauthClientId: 'id', oauthAuthorizationUrl: 'https://id.example/auth' })),
    ['oauthTokenUrl'],
  );
  assert.deepEqual(fieldsOf(() => validateSettings({ protocol: 'imap', host: 'h', auth: 'oauth2', oauthProvider: 'custom', oauthClientId: 'id', oauthIssuer: 'id.example' })), ['oauthIssuer']);
  validateSettings({ protocol: 'imap', host: 'h', auth: 'oauth2', oauthProvider: 'custom', oauthClientId: 'id', oauthIssuer: 'https://id.example' });
});

test('the scopes of each preset, by protocol; the mail scopes are the ones that are not about identity', () => {
  assert.deepEqual(requestedScopes('google', 'imap'), ['openid', 'email', 'https://mail.google.com/']);
  assert.deepEqual(requestedScopes('microsoft', 'imap'), ['openid', 'email', 'offline_access', 'https://outlook.office.com/IMAP.AccessAsUser.All']);
  assert.deepEqual(requestedScopes('microsoft', 'pop3'), ['openid', 'email', 'offline_access', 'https://outlook.office.com/POP.AccessAsUser.All']);
  assert.deepEqual(requestedScopes('custom', 'imap', 'openid  email offline_access imap imap'), ['openid', 'email', 'offline_access', 'imap']);
  assert.deepEqual(mailScopes(requestedScopes('microsoft', 'pop3')), ['https://outlook.office.com/POP.AccessAsUser.All']);
});

test('the client secret is sealed at rest and kept by a change that leaves the app where it was', () => {
  withBox((box) => {
    const stored = settingsToStore({ protocol: 'imap', auth: 'oauth2', oauthProvider: 'google', oauthClientId: 'id', oauthClientSecret: 'GOCSPX-marker' }, box);
    assert.match(stored.oauthClientSecret!, /^v1:/);
    assert.ok(!JSON.stringify(stored).includes('GOCSPX-marker'));
    const changed = mergeStoredSettings(stored, { pollSeconds: 30 }, box);
    assert.equal(box.decrypt(changed.oauthClientSecret!), 'GOCSPX-marker');
    assert.equal(changed.pollSeconds, 30);
    // A public client: the secret can be cleared.
    assert.equal(mergeStoredSettings(stored, { oauthClientSecret: null }, box).oauthClientSecret, undefined);
  });
});

test('pointing the app at another provider or token endpoint needs the client secret again', () => {
  withBox((box) => {
    const stored = settingsToStore({ protocol: 'imap', host: 'h', auth: 'oauth2', oauthProvider: 'custom', oauthClientId: 'id',
      oauthIssuer: 'https://id.example', oauthClientSecret: 's3cret' }, box);
    assert.throws(() => mergeStoredSettings(stored, { oauthIssuer: 'https://attacker.example' }, box), (error: Error) => {
      assert.ok(error instanceof SettingsError);
      assert.equal(error.field, 'oauthClientSecret');
      assert.match(error.message, /Client secret should be given again: the oauthIssuer changed/);
      return true;
    });
    // The same value again is no move; a new secret with the move is accepted.
    mergeStoredSettings(stored, { oauthIssuer: 'https://id.example' }, box);
    const moved = mergeStoredSettings(stored, { oauthIssuer: 'https://other.example', oauthClientSecret: 'new' }, box);
    assert.equal(box.decrypt(moved.oauthClientSecret!), 'new');
  });
});

test('the sign-in destination moves with the mailbox server and the app, not with the poll interval or the login', () => {
  withBox((box) => {
    const stored = settingsToStore({ protocol: 'imap', host: 'h', auth: 'oauth2', oauthProvider: 'custom', oauthClientId: 'id', oauthIssuer: 'https://id.example' }, box);
    const same = signInDestination(stored);
    assert.equal(signInDestination(mergeStoredSettings(stored, { pollSeconds: 30, login: 'other@example.com' }, box)), same);
    assert.notEqual(signInDestination(mergeStoredSettings(stored, { host: 'elsewhere.example' }, box)), same);
    assert.notEqual(signInDestination(mergeStoredSettings(stored, { oauthClientId: 'other' }, box)), same);
    assert.equal(signInDestination(settingsToStore({ protocol: 'imap', host: 'h', login: 'l', password: 'p' }, box)), '');
  });
});

test('switching the provider drops the old provider\'s issuer, endpoints and scopes unless the change names them', () => {
  withBox((box) => {
    const microsoft = settingsToStore({ protocol: 'imap', auth: 'oauth2', oauthProvider: 'microsoft', oauthClientId: 'id',
      oauthIssuer: 'https://login.microsoftonline.com/tenant/v2.0', oauthScopes: 'openid email offline_access https://outlook.office.com/IMAP.AccessAsUser.All' }, box);
    const google = mergeStoredSettings(microsoft, { oauthProvider: 'google', oauthClientId: 'g' }, box);
    assert.equal(google.oauthIssuer, undefined, 'Google discovers at Google again');
    assert.equal(google.oauthScopes, undefined);
    const named = mergeStoredSettings(microsoft, { oauthProvider: 'custom', host: 'mail.example', oauthIssuer: 'https://id.example' }, box);
    assert.equal(named.oauthIssuer, 'https://id.example');
    // The same provider keeps them.
    assert.equal(mergeStoredSettings(microsoft, { oauthProvider: 'microsoft', pollSeconds: 30 }, box).oauthIssuer, 'https://login.microsoftonline.com/tenant/v2.0');
  });
});
