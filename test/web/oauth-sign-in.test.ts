// The OAuth2 sign-in of a mailbox end to end in Chromium: an admin adds a profile at a custom provider (a
// real OpenID provider on loopback, test/support/oidc-provider.ts), signs in from the profile page at the
// provider's own login and consent pages, lands back signed in, and mail is fetched over IMAP with the
// token from Dovecot, which checks it at the provider (oauth2 passdb, introspection). Then Check Connection
// shows the token step; a cancelled consent comes back with the reason; a revoked grant says "sign in again"
// at the Access setting and the panel says the sign-in stopped.
//
// The browser reaches mailbind as http://localhost:PORT and the provider as http://127.0.0.1:PORT: two
// sites, as mailbind and Google are. So the session cookie (SameSite=Strict) does not come along on the
// redirect back from the provider, and the sign-in must be bound to the browser by its own cookie.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { fetchOnce } from '../../src/app/fetch.js';
import { SESSION_COOKIE } from '../../src/server/auth.js';
import { openTokens } from '../../src/store/oauth-tokens.js';
import { getProfile } from '../../src/store/profiles.js';
import { ADMIN, chromiumSkip, seriousViolations, startUi, type UiServer } from '../support/browser.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { startOidcProvider, type OidcTestProvider } from '../support/oidc-provider.js';
import { waitFor } from '../support/wait.js';

const ALICE = 'alice@example.test';

// The tests run in order on one browser and one profile: each goes on from where the one before left it.
describe('OAuth2 sign-in from the profile page, end to end in Chromium', { skip: chromiumSkip() || dovecotSkip() }, () => {
  let ui: UiServer;
  let op: OidcTestProvider;
  let dc: Dovecot;
  /** mailbind as the browser reaches it: another site than the provider's 127.0.0.1. */
  let site: string;
  let page: Page;
  let profileId: number;

  before(async () => {
    [ui, op] = await Promise.all([startUi('sqlite'), startOidcProvider({ accounts: [{ id: ALICE }] })]);
    site = ui.url.replace('//127.0.0.1:', '//localhost:');
    await op.setRedirectUris([`${site}/oauth/callback`]);
    dc = await startDovecot({ users: [{ user: ALICE, password: 'not-used-the-token-logs-in' }], oauth2: { introspectionUrl: op.introspectionUrl } });
    await dc.deliver(ALICE, 'From: customer@example.org\r\nTo: alice@example.test\r\nSubject: The board does not load\r\nMessage-ID: <board-1@example.org>\r\n\r\nSince this morning.\r\n');
    page = await ui.newPage();
    // The provider's pages load a web font from Google; there is no internet here, so say no at once.
    await page.context().route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
    await page.goto(`${site}/`);
    await page.getByLabel('Name').fill(ADMIN.name);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });
  after(async () => {
    await ui?.close();
    await Promise.all([op?.stop(), dc?.stop()]);
  });

  /**
   * At the provider: its login page (only the first time: then the provider remembers the browser, as
   * Google does), then its consent page, asked every time (prompt=consent): Continue, or Cancel.
   */
  async function atProvider(options: { cancel?: boolean } = {}): Promise<void> {
    await page.waitForURL((url) => url.origin === op.issuer);
    const login = page.locator('input[name="login"]');
    const consent = page.locator('input[name="prompt"][value="consent"]');
    await login.or(consent).waitFor({ state: 'attached' });
    if (await login.count()) {
      await login.fill(ALICE);
      await page.locator('input[name="password"]').fill('any: the test provider takes any password');
      await page.getByRole('button', { name: 'Sign-in' }).click();
    }
    await consent.waitFor({ state: 'attached' });
    if (options.cancel) await page.getByRole('link', { name: '[ Cancel ]' }).click();
    else await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.origin === site);
  }

  test('add an OAuth2 profile, sign in at the provider, land back signed in, and fetch its mail over IMAP with the token', async () => {
    await page.getByRole('link', { name: 'Email Integration' }).click();
    await page.getByRole('link', { name: 'Add Profile' }).first().click();
    await page.getByLabel('Profile name').fill('alice');
    await page.getByRole('radio', { name: /OAuth2/ }).check();
    await page.getByLabel('Provider', { exact: true }).selectOption('custom');
    await page.getByLabel('Issuer URL').fill(op.issuer);
    await page.getByLabel('Client ID').fill(op.client.id);
    await page.getByLabel('Client secret').fill(op.client.secret);
    await page.getByLabel('Scopes').fill('openid email offline_access imap');
    await page.getByLabel('Server', { exact: true }).fill(dc.host);
    await page.getByLabel('Security').selectOption('none');
    await page.getByLabel('Port', { exact: true }).fill(String(dc.ports.imap));
    await page.getByLabel('First run takes').fill('all');
    assert.deepEqual(await seriousViolations(page), [], 'the form with OAuth2 at a custom provider');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    profileId = Number(new URL(page.url()).pathname.split('/').pop());
    const panel = page.getByRole('region', { name: 'Sign-in' });
    await panel.getByText('Not signed in').waitFor();

    const callbackCookies: Promise<string>[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/oauth/callback') callbackCookies.push(request.allHeaders().then((h) => h['cookie'] ?? ''));
    });
    await panel.getByRole('button', { name: 'Sign in with the provider' }).click();
    await atProvider();
    await page.getByRole('status').getByText(`Signed in as ${ALICE}.`).waitFor();
    assert.equal(new URL(page.url()).pathname, `/settings/plugins/email-integration/${profileId}`);
    assert.equal(new URL(page.url()).search, '', 'the notice is said once');
    assert.equal(callbackCookies.length, 1);
    const cookies = await callbackCookies[0]!;
    assert.doesNotMatch(cookies, new RegExp(`${SESSION_COOKIE}=`), 'the session cookie stays behind, as on the way back from another site');
    assert.match(cookies, /mailbind_signin_/, "the sign-in's own cookie came along");
    await panel.getByText(`Signed in as ${ALICE} · signed in`).waitFor();
    await panel.getByRole('button', { name: 'Sign in again' }).waitFor();
    assert.equal(await page.getByLabel('Login', { exact: true }).inputValue(), ALICE, "the login is the account's email");
    assert.deepEqual(await seriousViolations(page), [], 'the signed-in panel');
    assert.equal((await getProfile(ui.app.store.db, profileId)).source!.login, ALICE);
    // Neither the client secret nor a token is in the page, nor in anything the service logged.
    const tokens = (await openTokens(ui.app.store.db, ui.app.secrets(), profileId))!;
    const secrets = [op.client.secret, tokens.accessToken, tokens.refreshToken!];
    const html = await page.content();
    const logged = JSON.stringify(ui.log.records);
    for (const secret of secrets) assert.ok(!html.includes(secret) && !logged.includes(secret), 'a secret was shown or logged');

    const fetched = await fetchOnce(ui.app, profileId);
    assert.equal(fetched.messages.length, 1, 'the message in the mailbox, read with the access token');
    await waitFor(async () => /Login: user=<alice@example\.test>, method=(XOAUTH2|OAUTHBEARER)/.test(await dc.log()), { what: "Dovecot's log of the login with the token" });

    await page.getByRole('button', { name: 'Check Connection' }).click();
    const steps = page.getByRole('list', { name: 'Check Connection steps' });
    await steps.locator('li.ok .step-name', { hasText: /^✓ auth$/ }).waitFor();
    await steps.locator('li.ok .step-name', { hasText: /^✓ token$/ }).waitFor();
    assert.equal(await steps.locator('li.failed').count(), 0);
  });

  test('a consent cancelled at the provider comes back with the reason, and the sign-in before it stays', async () => {
    await page.goto(`${site}/settings/plugins/email-integration/${profileId}`);
    const panel = page.getByRole('region', { name: 'Sign-in' });
    await panel.getByRole('button', { name: 'Sign in again' }).click();
    await atProvider({ cancel: true });
    const alert = page.getByRole('alert').filter({ hasText: 'The sign-in did not complete' });
    await alert.waitFor();
    assert.match(await alert.innerText(), /cancelled or refused at the provider \(access_denied/);
    await panel.getByText(`Signed in as ${ALICE}`).waitFor();
  });

  test('a revoked grant: Check Connection says at Access to sign in again, and the panel says the sign-in stopped', async () => {
    assert.ok((await op.revokeGrantsOf(ALICE)) > 0);
    await page.goto(`${site}/settings/plugins/email-integration/${profileId}`);
    await page.getByRole('button', { name: 'Check Connection' }).click();
    const error = page.locator('#auth-error');
    await error.waitFor();
    assert.match(await error.innerText(), /sign in again/i);
    assert.equal(await page.getByRole('group', { name: 'Access' }).getAttribute('aria-describedby'), 'auth-error');
    await page.reload();
    const panel = page.getByRole('region', { name: 'Sign-in' });
    await panel.getByText('Sign-in stopped').waitFor();
    await panel.getByRole('button', { name: 'Sign in again' }).waitFor();

    // Signing in again makes it work again.
    await panel.getByRole('button', { name: 'Sign in again' }).click();
    await atProvider();
    await page.getByRole('status').getByText(`Signed in as ${ALICE}.`).waitFor();
    await dc.deliver(ALICE, 'From: customer@example.org\r\nSubject: Still broken\r\nMessage-ID: <board-2@example.org>\r\n\r\nAnd now?\r\n');
    assert.equal((await fetchOnce(ui.app, profileId)).messages.length, 1);
  });
});
