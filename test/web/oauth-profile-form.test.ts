// An OAuth2 mailbox on the profile page in Chromium, without a provider: the Access choice and the
// provider's fields, what is saved (client secret sealed and write-only, no password), the API's errors
// at the fields they name, and the sign-in panel in each state it can be in (from the token store as the
// service leaves it), with the notice the sign-in lands with said once. The browser sign-in itself, at a
// real provider, is oauth-sign-in.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addAccount } from '../../src/app/accounts.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { saveSignIn } from '../../src/store/oauth-tokens.js';
import { destinationOf, recordFailureNow } from '../support/sign-in-rows.js';
import { getProfile } from '../../src/store/profiles.js';
import { chromiumSkip, seriousViolations, startUi, type UiServer } from '../support/browser.js';

const who = cliPrincipal('test');
const CLIENT_SECRET = 'web-oauth-Client-Secret-9';
const VIEWER = { name: 'vera', password: 'viewer password 456' };

describe('OAuth2 mailbox settings in Chromium', { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  before(async () => {
    ui = await startUi('sqlite');
    await addAccount(ui.app, { name: VIEWER.name, role: 'viewer', password: VIEWER.password }, who);
  });
  after(async () => {
    await ui?.close();
  });

  const oauthSource = (extra: Record<string, unknown> = {}) => ({
    protocol: 'imap' as const, auth: 'oauth2' as const, oauthProvider: 'google' as const, oauthClientId: 'client-1.apps.example', oauthClientSecret: CLIENT_SECRET, ...extra,
  });
  const tokens = (account: string) => ({ account, subject: 'sub-1', accessToken: 'at-never-shown', accessExpiresAt: new Date(Date.now() + 3600_000).toISOString(), refreshToken: 'rt-never-shown', scope: 'openid email https://mail.google.com/' });

  test('choosing OAuth2 at Google: the password goes, the server is Google\'s, and the profile saves with the client secret sealed and never shown', async () => {
    const page = await ui.signIn();
    await page.goto(`${ui.url}/settings/plugins/email-integration/new`);
    await page.getByLabel('Profile name').fill('gmail');
    const access = page.getByRole('group', { name: 'Access' });
    assert.equal(await access.getByRole('radio', { name: /password/ }).isChecked(), true, 'a password is the default');
    await access.getByRole('radio', { name: /OAuth2/ }).check();
    assert.equal(await page.getByLabel('Password', { exact: true }).count(), 0, 'no password for an OAuth2 mailbox');
    assert.equal(await page.getByLabel('Provider', { exact: true }).inputValue(), 'google');
    assert.equal(await page.getByLabel('Server', { exact: true }).inputValue(), 'imap.gmail.com');
    await page.getByLabel('Protocol').selectOption('pop3');
    assert.equal(await page.getByLabel('Server', { exact: true }).inputValue(), 'pop.gmail.com', "the preset's server follows the protocol");
    assert.equal(await page.getByLabel('Port', { exact: true }).inputValue(), '995');
    await page.getByLabel('Provider', { exact: true }).selectOption('microsoft');
    assert.equal(await page.getByLabel('Server', { exact: true }).inputValue(), 'outlook.office365.com');
    await page.getByLabel('Tenant issuer URL').waitFor();
    await page.getByLabel('Server', { exact: true }).fill('mail.example.test');
    await page.getByLabel('Provider', { exact: true }).selectOption('google');
    assert.equal(await page.getByLabel('Server', { exact: true }).inputValue(), 'mail.example.test', 'a server the person typed stays');
    await page.getByLabel('Protocol').selectOption('imap');
    assert.equal(await page.getByLabel('Server', { exact: true }).inputValue(), 'mail.example.test');
    await page.getByLabel('Server', { exact: true }).fill('');
    assert.match(await page.locator('#host-hint').innerText(), /empty: imap\.gmail\.com/);
    assert.match(await page.locator('#login-hint').innerText(), /filled in at sign-in/);
    await page.getByLabel('Client ID').fill('client-1.apps.example');
    await page.getByLabel('Client secret').fill(CLIENT_SECRET);
    assert.deepEqual(await seriousViolations(page), [], 'the form with OAuth2 chosen');

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const id = Number(page.url().split('/').pop());
    const stored = (await getProfile(ui.app.store.db, id)).source!;
    assert.equal(stored.auth, 'oauth2');
    assert.equal(stored.oauthProvider, 'google');
    assert.equal(stored.oauthClientId, 'client-1.apps.example');
    assert.match(stored.oauthClientSecret ?? '', /^v1:/, 'sealed at rest');
    assert.equal(stored.password, undefined);
    assert.equal(stored.host, undefined, 'an emptied server is the preset default, not stored');
    assert.equal(stored.login, undefined, 'the login comes from the sign-in');

    assert.equal(await page.getByLabel('Client secret').inputValue(), '', 'the secret is never shown again');
    assert.match(await page.locator('#oauthClientSecret-hint').innerText(), /set — leave empty to keep/);
    assert.equal((await page.content()).includes(CLIENT_SECRET), false, 'nor is it anywhere in the page');
    const panel = page.getByRole('region', { name: 'Sign-in' });
    await panel.getByText('Not signed in').waitFor();
    await panel.getByRole('button', { name: 'Sign in with Google' }).waitFor();

    // Saving again without typing the secret keeps it.
    await page.getByLabel('Folder').fill('Support');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const kept = (await getProfile(ui.app.store.db, id)).source!;
    assert.equal(kept.folder, 'Support');
    assert.equal(ui.app.secrets().decrypt(kept.oauthClientSecret!), CLIENT_SECRET, 'kept as it was');
  });

  test("the API's errors for a custom provider show at the fields they name", async () => {
    const page = await ui.signIn();
    await page.goto(`${ui.url}/settings/plugins/email-integration/new`);
    await page.getByLabel('Profile name').fill('custom-errors');
    // From the keyboard: the arrow key moves the Access choice, Tab goes on to the provider it showed.
    await page.getByRole('radio', { name: /password/ }).focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getByRole('radio', { name: /OAuth2/ }).isChecked(), true);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate<string | undefined>('document.activeElement?.id'), 'oauthProvider');
    await page.getByLabel('Provider', { exact: true }).selectOption('custom');
    assert.equal(await page.getByLabel('Server', { exact: true }).inputValue(), '', 'a custom provider has no server of its own');
    await page.getByLabel('Server', { exact: true }).fill('imap.example.test');
    await page.getByLabel('Authorization endpoint').fill('https://id.example.test/authorize');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#oauthClientId-error').waitFor();
    assert.match(await page.locator('#oauthClientId-error').innerText(), /Client ID should not be empty/);
    assert.match(await page.locator('#oauthTokenUrl-error').innerText(), /give both, or neither/);
    assert.equal(await page.getByLabel('Client ID').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Token endpoint').getAttribute('aria-describedby'), 'oauthTokenUrl-hint oauthTokenUrl-error');
    await page.getByLabel('Authorization endpoint').fill('');
    await page.getByLabel('Client ID').fill('mailbind');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#oauthIssuer-error').getByText(/Issuer URL should be given/).waitFor();
    assert.equal(await page.locator('#oauthClientId-error').count(), 0);
  });

  test('changing the app of a saved profile asks for the client secret again, at its field', async () => {
    const { profile } = await createProfile(ui.app, { name: 'asks-secret', source: oauthSource() }, who);
    const page = await ui.signIn();
    await page.goto(`${ui.url}/settings/plugins/email-integration/${profile.id}`);
    await page.getByLabel('Client ID').fill('another-client');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#oauthClientSecret-error').getByText(/Client secret should be given again/).waitFor();
    assert.equal((await getProfile(ui.app.store.db, profile.id)).source!.oauthClientId, 'client-1.apps.example', 'nothing saved');
  });

  test('switching a saved profile to a provider that shows fewer fields clears the hidden ones: Google discovers at Google again', async () => {
    const TENANT = 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0';
    const switched = async (name: string, source: Record<string, unknown>, provider: 'google' | 'microsoft') => {
      const { profile } = await createProfile(ui.app, { name, source: oauthSource(source) }, who);
      const page = await ui.signIn();
      await page.goto(`${ui.url}/settings/plugins/email-integration/${profile.id}`);
      await page.getByLabel('Provider', { exact: true }).selectOption(provider);
      await page.getByLabel('Client secret').fill(CLIENT_SECRET);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved.').waitFor();
      return (await getProfile(ui.app.store.db, profile.id)).source!;
    };

    const fromTenant = await switched('tenant-to-google', { oauthProvider: 'microsoft', oauthIssuer: TENANT }, 'google');
    assert.equal(fromTenant.oauthProvider, 'google');
    assert.equal(fromTenant.oauthIssuer, undefined, "the tenant's issuer, hidden at Google, is not kept");

    const custom = { oauthProvider: 'custom', host: 'imap.example.test', oauthScopes: 'openid email offline_access imap' };
    const fromCustom = await switched('custom-to-google', { ...custom, oauthIssuer: 'https://id.example.test' }, 'google');
    assert.deepEqual([fromCustom.oauthIssuer, fromCustom.oauthScopes], [undefined, undefined]);

    const endpoints = { oauthAuthorizationUrl: 'https://id.example.test/authorize', oauthTokenUrl: 'https://id.example.test/token' };
    const toMicrosoft = await switched('custom-to-microsoft', { ...custom, ...endpoints }, 'microsoft');
    assert.equal(toMicrosoft.oauthProvider, 'microsoft');
    assert.deepEqual([toMicrosoft.oauthAuthorizationUrl, toMicrosoft.oauthTokenUrl, toMicrosoft.oauthScopes], [undefined, undefined, undefined],
      'the endpoints and scopes Microsoft does not show');
  });

  test('the sign-in panel says who is signed in, that refreshing fails, or that it stopped, each with its action', async () => {
    const { profile } = await createProfile(ui.app, { name: 'panel', source: oauthSource({ login: 'help@example.test' }) }, who);
    await saveSignIn(ui.app.store.db, ui.app.secrets(), profile.id, { ...tokens('help@example.test'), destination: await destinationOf(ui.app.store.db, profile.id) });
    const page = await ui.signIn();
    const url = `${ui.url}/settings/plugins/email-integration/${profile.id}`;
    await page.goto(url);
    const panel = page.getByRole('region', { name: 'Sign-in' });
    await panel.getByText(/Signed in as help@example\.test · signed in (now|\d+ seconds? ago)/).waitFor();
    await panel.getByRole('button', { name: 'Sign in again' }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the signed-in panel');
    assert.equal((await page.content()).includes('never-shown'), false, 'no token in the page');

    await recordFailureNow(ui.app.store.db, profile.id, { error: 'the provider did not answer (timeout)', stopped: false });
    await page.reload();
    await panel.getByText('Refresh failing').waitFor();
    assert.match(await panel.innerText(), /the provider did not answer \(timeout\)\. mailbind keeps trying/);
    assert.match(await panel.innerText(), /If it goes on, sign in again/);

    await recordFailureNow(ui.app.store.db, profile.id, { error: 'the refresh token was revoked — sign in again', stopped: true });
    await page.reload();
    await panel.getByText('Sign-in stopped').waitFor();
    assert.match(await panel.innerText(), /can no longer read this mailbox as help@example\.test: the refresh token was revoked — sign in again/);
    await panel.getByRole('button', { name: 'Sign in again' }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the stopped panel');

    // A change to the provider or app, not saved yet: a sign-in now would use the old one.
    await page.getByLabel('Client ID').fill('another-client');
    assert.equal(await panel.getByRole('button', { name: 'Sign in again' }).isDisabled(), true);
    await panel.getByText('Save first').waitFor();

    // A viewer sees the state, and no button.
    const viewer = await ui.signIn(VIEWER.name, VIEWER.password);
    await viewer.goto(url);
    await viewer.getByRole('region', { name: 'Sign-in' }).getByText('Sign-in stopped').waitFor();
    assert.equal(await viewer.getByRole('button', { name: /Sign in/ }).count(), 0);
  });

  test('coming back from the provider: the notice (or the reason it failed) is said once, and the address loses the query', async () => {
    const { profile } = await createProfile(ui.app, { name: 'landing', source: oauthSource() }, who);
    await saveSignIn(ui.app.store.db, ui.app.secrets(), profile.id, { ...tokens('landing@example.test'), destination: await destinationOf(ui.app.store.db, profile.id) });
    const page = await ui.signIn();
    await page.goto(`${ui.url}/settings/plugins/email-integration/${profile.id}?signedIn=1`);
    await page.getByRole('status').getByText('Signed in as landing@example.test.').waitFor();
    assert.equal(new URL(page.url()).search, '', 'the query is gone');
    await page.reload();
    await page.getByRole('region', { name: 'Sign-in' }).waitFor();
    assert.equal(await page.getByText('Signed in as landing@example.test.').count(), 0, 'said once');

    await page.goto(`${ui.url}/settings/plugins/email-integration/${profile.id}?signInError=${encodeURIComponent('you declined access at the provider')}`);
    await page.getByRole('alert').getByText('The sign-in did not complete: you declined access at the provider').waitFor();
    assert.equal(new URL(page.url()).search, '');
  });
});
