// The admin pages in Chromium: accounts (add with a role, the password policy at its field, the last
// admin refused by the button, a new password, remove), API tokens (shown once, never listed, working
// against the API until revoked), the audit log with its pages; a viewer sees none of it and the API
// refuses them. Axe on the admin pages is admin-accessibility.test.ts (a file of its own: eight axe runs
// took 61 s of this file's 89 s in CI on a 2-core machine, near the 120 s a test file may take).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addAccount } from '../../src/app/accounts.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createToken } from '../../src/app/tokens.js';
import { chromiumSkip, startUi, type UiServer } from '../support/browser.js';

const VIEWER = { name: 'victor', password: 'viewer password 123' };
const ADMIN_PAGES = ['/admin/accounts', '/admin/tokens', '/admin/audit'];

describe('the admin pages in Chromium', { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  before(async () => {
    ui = await startUi('sqlite');
    await addAccount(ui.app, { name: VIEWER.name, role: 'viewer', password: VIEWER.password }, cliPrincipal('test'));
  });
  after(() => ui?.close());

  test('accounts: add with a role, the password policy at the password, the last admin refused by its button', async () => {
    const page = await ui.signIn();
    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();

    const adminRow = page.getByRole('row', { name: /^admin/ });
    await adminRow.getByRole('button', { name: 'Make viewer' }).click();
    await adminRow.getByRole('alert').getByText(/last admin; make another account admin first/).waitFor();
    await adminRow.getByRole('button', { name: 'Remove' }).click();
    await adminRow.getByRole('button', { name: 'Yes, remove' }).click();
    await adminRow.getByRole('alert').getByText(/last admin; make another account admin before removing it/).waitFor();
    await adminRow.getByRole('button', { name: 'Cancel' }).click();

    await page.getByLabel('Account name').fill('carol');
    await page.getByLabel('Role', { exact: true }).selectOption('admin');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Add account' }).click();
    const policy = page.locator('#account-password-error');
    await policy.waitFor();
    assert.match(await policy.innerText(), /at least \d+ characters/);
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Password', { exact: true }).fill('a long enough password');
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.getByText('Account carol added.').waitFor();
    const carolRow = page.getByRole('row', { name: /^carol/ });
    assert.match(await carolRow.innerText(), /admin/);
    assert.equal(await page.locator('#account-password-error').count(), 0, 'the error went with the fix');

    await page.getByLabel('Account name').fill('carol');
    await page.getByLabel('Password', { exact: true }).fill('a long enough password');
    await page.getByRole('button', { name: 'Add account' }).click();
    assert.match(await page.locator('#account-name-error').innerText(), /already exists/);

    await carolRow.getByRole('button', { name: 'Set password' }).click();
    await page.getByLabel('New password for carol').fill('tiny');
    await carolRow.getByRole('button', { name: 'Save password' }).click();
    assert.match(await page.locator('#password-carol-error').innerText(), /at least \d+ characters/);
    await page.getByLabel('New password for carol').fill('another long password');
    await carolRow.getByRole('button', { name: 'Save password' }).click();
    await page.getByText('New password set for carol').waitFor();
    const carol = await ui.signIn('carol', 'another long password');
    await carol.getByRole('link', { name: 'Accounts' }).waitFor();

    await carolRow.getByRole('button', { name: 'Make viewer' }).click();
    await page.getByText('carol is now a viewer.').waitFor();
    // The list's reload is held: the notice must wait for it, or it announces a removal the table still contradicts.
    let reloadAsked!: () => void;
    const reloading = new Promise<void>((resolve) => (reloadAsked = resolve));
    let releaseReload!: () => void;
    const released = new Promise<void>((resolve) => (releaseReload = resolve));
    await page.route('**/api/v1/accounts', async (route) => {
      if (route.request().method() !== 'GET') return route.fallback();
      reloadAsked();
      await released;
      await route.continue();
    });
    await carolRow.getByRole('button', { name: 'Remove' }).click();
    await carolRow.getByRole('button', { name: 'Yes, remove' }).click();
    await reloading;
    assert.equal(await page.getByText('Account carol removed.').count(), 0, 'not announced while the list is loading');
    releaseReload();
    await page.getByText('Account carol removed.').waitFor();
    assert.equal(await page.getByRole('row', { name: /^carol/ }).count(), 0, 'announced with the list that shows it');
    await page.unrouteAll();
  });

  test('API tokens: created and shown once with a copy button, never listed, working until revoked (then 401)', async () => {
    const page = await ui.signIn();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.url });
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByText('No API tokens yet').waitFor();
    await page.getByLabel('Token name').fill('ci');
    await page.getByLabel('Role', { exact: true }).selectOption('admin');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('you will not see it again').waitFor();
    const token = await page.getByLabel('New token').inputValue();
    assert.match(token, /^mbt_[\w-]{20,}$/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), token);

    const asToken = (path: string) => fetch(ui.url + path, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await asToken('/api/v1/profiles')).status, 200, 'the token works against the API');

    const row = page.getByRole('row', { name: /^ci/ });
    await row.waitFor();
    assert.match(await row.innerText(), /admin/);
    await page.getByRole('button', { name: 'Done, I saved it' }).click();
    assert.ok(!(await page.content()).includes(token), 'gone from the page once dismissed');
    await page.reload();
    await row.waitFor();
    assert.ok(!(await page.content()).includes(token), 'never listed');
    assert.ok(!(await page.content()).includes(token.slice(12)), 'not even its secret part');

    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Yes, revoke' }).click();
    await row.getByText(/revoked/).waitFor();
    assert.equal((await asToken('/api/v1/profiles')).status, 401, 'a revoked token is refused');
    assert.equal(await row.getByRole('button', { name: 'Revoke' }).count(), 0);
  });

  test('the audit log lists those changes, newest first, and pages with "Show older entries"', async () => {
    const page = await ui.signIn();
    await page.getByRole('link', { name: 'Audit log' }).click();
    const table = page.getByRole('table', { name: /Audit log/ });
    await table.waitFor();
    const text = await table.innerText();
    for (const [action, target] of [['token.revoke', 'token ci'], ['token.create', 'token ci'], ['account.remove', 'account carol'], ['account.role', 'account carol'], ['account.passwd', 'account carol'], ['account.add', 'account carol']]) {
      assert.match(text, new RegExp(`admin\\s+${action.replace('.', '\\.')}\\s+${target}`), `${action} ${target} by admin`);
    }
    assert.ok(text.indexOf('token.revoke') < text.indexOf('account.add\taccount carol'), 'newest first');

    // More than one page (50): the older ones come with the button, appended below.
    for (let i = 0; i < 55; i++) await createToken(ui.app, { name: `bulk-${i}`, role: 'viewer' }, cliPrincipal('test'));
    await page.reload();
    await table.waitFor();
    const rows = table.locator('tbody tr');
    assert.equal(await rows.count(), 50);
    await page.getByRole('button', { name: 'Show older entries' }).click();
    await page.getByRole('cell', { name: 'account carol' }).first().waitFor();
    assert.ok((await rows.count()) > 50);
    assert.match(await table.innerText(), /cli:test\s+token\.create\s+token bulk-0/);
  });

  test('a viewer sees no admin pages in the navigation, is told "only an admin" at their URLs, and the API refuses (403)', async () => {
    const page = await ui.signIn(VIEWER.name, VIEWER.password);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Dashboard' }).waitFor();
    for (const name of ['Accounts', 'API tokens', 'Audit log']) assert.equal(await nav.getByRole('link', { name }).count(), 0, name);
    for (const path of ADMIN_PAGES) {
      await page.goto(ui.url + path);
      await page.getByRole('alert').getByText('Only an admin may open this page.').waitFor();
    }
    const statuses = await page.evaluate(async () => Promise.all(['/api/v1/accounts', '/api/v1/tokens', '/api/v1/audit'].map(async (p) => (await fetch(p)).status)));
    assert.deepEqual(statuses, [403, 403, 403]);
  });
});
