// Settings → Plugins → Email Integration in Chromium, as an admin uses it: sign in, Add Profile
// against the test Dovecot, Check Connection step by step (and with a wrong password, the message at
// the password field), save; the whole flow from the keyboard; a viewer sees no edit controls.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addAccount } from '../../src/app/accounts.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { chromiumSkip, seriousViolations, startUi, type UiServer } from '../support/browser.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { waitFor } from '../support/wait.js';

describe('the profile pages in Chromium', { skip: chromiumSkip() || dovecotSkip() }, () => {
  let ui: UiServer;
  let dc: Dovecot;
  before(async () => {
    [ui, dc] = await Promise.all([startUi('sqlite'), startDovecot()]);
    await addAccount(ui.app, { name: 'victor', role: 'viewer', password: 'viewer password 123' }, cliPrincipal('test'));
  });
  after(async () => {
    await ui?.close();
    await dc?.stop();
  });

  test('Add Profile, Check Connection step by step, a wrong password flagged at its field, save', async () => {
    const page = await ui.signIn();
    await page.getByRole('link', { name: 'Email Integration' }).click();
    await page.getByText('No profiles yet').waitFor();
    await page.getByRole('link', { name: 'Add Profile' }).first().click();
    await page.getByLabel('Profile name').fill('support');
    await page.getByLabel('Protocol').selectOption('pop3');
    assert.equal(await page.getByLabel('Port', { exact: true }).inputValue(), '995', 'POP3 over TLS: 995');
    await page.getByLabel('Security').selectOption('none');
    assert.equal(await page.getByLabel('Port', { exact: true }).inputValue(), '110', 'plain POP3: 110');
    await page.getByLabel('Server', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(dc.ports.pop3));
    await page.getByLabel('Login', { exact: true }).fill('alice');
    await page.getByLabel('Password', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: 'Check Connection' }).click();
    const passwordError = page.locator('#password-error');
    await passwordError.waitFor();
    assert.match(await passwordError.innerText(), /password/i);
    await page.getByLabel('Password', { exact: true }).fill(dc.users[0]!.password);
    await page.getByRole('button', { name: 'Check Connection' }).click();
    await page.locator('.steps li.ok .step-name', { hasText: /^✓ auth$/ }).waitFor();
    assert.equal(await page.locator('.steps li.failed').count(), 0);
    assert.match(await page.locator('.steps').innerText(), /\d+ ms/);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    assert.match(page.url(), /\/settings\/plugins\/email-integration\/\d+$/);
    assert.deepEqual(await seriousViolations(page), []);
    // Every setting is in the form, the size limit too (in MB; the API keeps bytes).
    assert.equal(await page.getByLabel('Largest message to import (MB)').inputValue(), '50');
    await page.getByLabel('Largest message to import (MB)').fill('10');
    await page.getByRole('button', { name: 'Save' }).click();
    const id = Number(page.url().split('/').pop());
    const { showProfile } = await import('../../src/app/profiles.js');
    await waitFor(async () => (await showProfile(ui.app, id)).source?.maxMessageBytes === 10 * 1024 * 1024, { what: 'the new size limit to be saved' });
    assert.deepEqual(ui.cspViolations, [], 'the built UI runs under the CSP without a violation');
    assert.ok(ui.requests.every((url) => url.startsWith(ui.url)), 'nothing requested outside the app');
  });

  test('a viewer sees the profile but no edit controls', async () => {
    const page = await ui.signIn('victor', 'viewer password 123');
    await page.getByRole('link', { name: 'Email Integration' }).click();
    await page.getByRole('link', { name: 'support' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Add Profile' }).count(), 0);
    await page.getByRole('link', { name: 'support' }).click();
    await page.getByLabel('Server', { exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save' }).count(), 0);
    assert.equal(await page.getByLabel('Server', { exact: true }).isDisabled(), true);
    assert.deepEqual(await seriousViolations(page), []);
  });

  test('the sign-in page and the dashboard have no serious accessibility violations, at 1280 and 390 px', async () => {
    for (const width of [1280, 390]) {
      const signedOut = await ui.newPage({ width, height: 800 });
      await signedOut.goto(ui.url + '/');
      await signedOut.getByRole('button', { name: 'Sign in' }).waitFor();
      assert.deepEqual(await seriousViolations(signedOut), [], `sign-in at ${width}`);
      const page = await ui.signIn(undefined, undefined, { width, height: 800 });
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      assert.deepEqual(await seriousViolations(page), [], `dashboard at ${width}`);
    }
  });
});
