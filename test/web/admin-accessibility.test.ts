// Axe finds nothing serious on any admin page (accounts, API tokens, audit log) at desktop or phone width,
// nor on the tokens page's own states: the token shown once, and an open confirmation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromiumSkip, seriousViolations, startUi, type UiServer } from '../support/browser.js';

const ADMIN_PAGES = ['/admin/accounts', '/admin/tokens', '/admin/audit'];

describe('the admin pages in Chromium, with axe', { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  before(async () => {
    ui = await startUi('sqlite');
  });
  after(() => ui?.close());

  test('every admin page has no serious accessibility violations, at 1280 and 390 px', async () => {
    for (const width of [1280, 390]) {
      const page = await ui.signIn(undefined, undefined, { width, height: 844 });
      for (const path of ADMIN_PAGES) {
        await page.goto(ui.url + path);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await page.locator('table, .empty').first().waitFor();
        assert.deepEqual(await seriousViolations(page), [], `${path} at ${width}`);
      }
      // The shown-once token panel and an open confirmation are states of their own.
      await page.goto(ui.url + '/admin/tokens');
      await page.getByLabel('Token name').fill(`axe-${width}`);
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.getByLabel('New token').waitFor();
      await page.getByRole('row', { name: new RegExp(`^axe-${width}`) }).getByRole('button', { name: 'Revoke' }).click();
      assert.deepEqual(await seriousViolations(page), [], `new token and confirmation at ${width}`);
    }
  });
});
