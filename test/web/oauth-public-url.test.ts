// A web sign-in started at another address than MAILBIND_PUBLIC_URL, in Chromium: the provider sends the
// browser back to the public address, where the cookie binding the sign-in to this browser was never set,
// so it could never complete. The sign-in panel says where to open mailbind instead, and started there the
// browser goes to the provider. Here the service is reached as http://127.0.0.1:PORT and its public
// address is http://localhost:PORT: the same server, two sites as far as the browser's cookies go.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { ADMIN, chromiumSkip, seriousViolations, startUi, type UiServer } from '../support/browser.js';
import { startOidcProvider, type OidcTestProvider } from '../support/oidc-provider.js';
import { freePort } from '../support/ports.js';

describe('OAuth2 sign-in from another address than MAILBIND_PUBLIC_URL, in Chromium', { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  let op: OidcTestProvider;
  let publicUrl: string;
  let profileId: number;

  before(async () => {
    const port = await freePort();
    publicUrl = `http://localhost:${port}`;
    [ui, op] = await Promise.all([startUi('sqlite', { port, publicUrl }), startOidcProvider({ redirectUris: [`${publicUrl}/oauth/callback`] })]);
    const { profile } = await createProfile(ui.app, {
      name: 'helpdesk',
      source: {
        protocol: 'imap', host: '127.0.0.1', port: 1, tls: 'none', auth: 'oauth2', oauthProvider: 'custom', oauthIssuer: op.issuer,
        oauthClientId: op.client.id, oauthClientSecret: op.client.secret, oauthScopes: 'openid email offline_access imap',
      },
    }, cliPrincipal('test'));
    profileId = profile.id;
  });
  after(async () => {
    await ui?.close();
    await op?.stop();
  });

  test('at 127.0.0.1 the panel says to open mailbind at its public address, and nothing starts', async () => {
    const page = await ui.signIn();
    const at = `${ui.url}/settings/plugins/email-integration/${profileId}`;
    await page.goto(at);
    const panel = page.getByRole('region', { name: 'Sign-in' });
    await panel.getByRole('button', { name: 'Sign in with the provider' }).click();
    await panel.getByRole('alert').getByText(`Could not start the sign-in: open mailbind at ${publicUrl} to sign in: the provider sends the browser back there`).waitFor();
    assert.equal(page.url(), at, 'the browser stayed');
    assert.equal(await panel.getByRole('button', { name: 'Sign in with the provider' }).isEnabled(), true, 'it can be tried again');
    assert.deepEqual(await seriousViolations(page), [], 'the panel with the reason');
    const rows = await ui.app.store.db.selectFrom('oauth_sign_ins').select('state_hash').where('profile_id', '=', profileId).execute();
    assert.deepEqual(rows, [], 'no sign-in was started');
  });

  test('at the public address the same button goes to the provider, asking it to come back there', async () => {
    const page = await ui.newPage();
    await page.goto(`${publicUrl}/`);
    await page.getByLabel('Name').fill(ADMIN.name);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.goto(`${publicUrl}/settings/plugins/email-integration/${profileId}`);
    // The provider's pages load a web font from Google; there is no internet here, so say no at once.
    await page.context().route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
    const asked = page.waitForRequest((request) => new URL(request.url()).origin === op.issuer);
    await page.getByRole('region', { name: 'Sign-in' }).getByRole('button', { name: 'Sign in with the provider' }).click();
    assert.equal(new URL((await asked).url()).searchParams.get('redirect_uri'), `${publicUrl}/oauth/callback`);
    await page.waitForURL((url) => url.origin === op.issuer);
  });
});
