// `mailbind profile status` for OAuth2 mailboxes: the sign-in on a line of its own under the profile's
// poll line ("sign-in: stopped: … — sign in again"), the same in --json, and no token in either.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, type App } from '../../src/app/app.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { saveSignIn } from '../../src/store/oauth-tokens.js';
import { destinationOf, recordFailureNow } from '../support/sign-in-rows.js';
import { cliJson, runCli } from '../support/cli.js';
import { openTestStore, type TestStore } from '../support/store.js';

const ACCESS = 'access-Marker-cli-1x0';
const REFRESH = 'refresh-Marker-cli-9qz';
let t: TestStore;
let app: App;

before(async () => {
  t = await openTestStore('sqlite');
  app = assemble(t.store);
  const oauth = (name: string) => ({
    name,
    source: { protocol: 'imap' as const, auth: 'oauth2' as const, oauthProvider: 'microsoft' as const, oauthClientId: 'app-1', oauthClientSecret: 'cs-Marker-cli' },
  });
  const revoked = (await createProfile(app, oauth('revoked'), cliPrincipal('test'))).profile;
  await createProfile(app, oauth('fresh'), cliPrincipal('test'));
  await createProfile(app, { name: 'plain', source: { protocol: 'pop3', host: 'mail.example', login: 'bob', password: 'pw' } }, cliPrincipal('test'));
  await saveSignIn(t.store.db, app.secrets(), revoked.id, {
    account: 'support@contoso.test',
    subject: null,
    accessToken: ACCESS,
    accessExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    refreshToken: REFRESH,
    destination: await destinationOf(t.store.db, revoked.id),
  });
  await recordFailureNow(t.store.db, revoked.id, { error: 'the refresh token was revoked or has expired — sign in again (the provider said invalid_grant)', stopped: true });
});
after(() => t.cleanup());

test('profile status prints each OAuth2 sign-in under its profile, password mailboxes without one; never a token', async () => {
  const r = await runCli(['profile', 'status'], t.env);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const after = (name: string) => lines[lines.findIndex((l) => l.startsWith(`${name} (`)) + 1];
  assert.equal(after('revoked'), '  sign-in: stopped: the refresh token was revoked or has expired — sign in again (the provider said invalid_grant)');
  assert.equal(after('fresh'), '  sign-in: not signed in: sign in from the profile page or with `mailbind profile signin fresh`');
  assert.equal(lines.filter((l) => l.includes('sign-in:')).length, 2, r.stdout);

  const json = await cliJson(['profile', 'status', 'revoked'], t.env);
  assert.equal(json.signIn.state, 'stopped');
  assert.equal(json.signIn.account, 'support@contoso.test');
  assert.match(json.signInSummary, /^stopped: the refresh token was revoked/);
  for (const output of [r.stdout, r.stderr, JSON.stringify(json)]) {
    for (const secret of [ACCESS, REFRESH, 'cs-Marker-cli']) assert.ok(!output.includes(secret), `the output holds ${secret}`);
  }
});
