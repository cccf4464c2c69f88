// The shell in Chromium: a session that ends mid-page asks for the password in a dialog over the page
// and then saves what was typed; GET /session failing for another reason than 401 says so with "Try
// again"; a malformed path is "Not found"; each page is titled by its heading, and a client-side
// navigation moves the focus to that heading and announces it; API errors of the profiles and item
// pages are shown in words; axe finds nothing serious at 390 px on the message, tracker and profile pages.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { importPaths } from '../../src/app/import.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { addProject } from '../../src/app/tracker.js';
import { getProfile } from '../../src/store/profiles.js';
import { chromiumSkip, seriousViolations, startUi, type UiServer } from '../support/browser.js';
import { makeMessage } from '../support/messages.js';
import { waitFor } from '../support/wait.js';

const RULES = "when subject contains 'invoice' then attach to project 1 and create request in project 1\nthen attach to project 1\n";
const RULES_LABEL = 'Rules (checked top to bottom, first match wins)';
const PASSWORD = 'admin password for tests';
const who = cliPrincipal('test');

describe('the shell: session expiry, errors, titles and focus', { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  let files: string;
  let profileId: number;
  let messageId: number;
  let itemId: number;
  before(async () => {
    ui = await startUi('sqlite');
    files = mkdtempSync(join(tmpdir(), 'mailbind-shell-ui-'));
    await addProject(ui.app, { name: 'General' }, who);
    profileId = (await createProfile(ui.app, { name: 'support', rules: { text: RULES, label: 'test' } }, who)).profile.id;
    writeFileSync(join(files, 'invoice.eml'), makeMessage({ subject: 'The invoice is wrong', from: 'Ada Customer <ada@customer.example>' }));
    for await (const line of importPaths(ui.app, 'support', [join(files, 'invoice.eml')])) if ('itemId' in line) messageId = line.itemId;
    const message = await waitFor(() => ui.app.store.db.selectFrom('inbox_items').selectAll().where('id', '=', messageId).executeTakeFirst(), { what: 'the imported message' });
    assert.ok(message);
    itemId = await waitFor(async () => {
      const page = await ui.signIn();
      try {
        await page.goto(`${ui.url}/messages/${messageId}`);
        const link = page.getByRole('link', { name: /request #\d+/ });
        await link.waitFor();
        return Number(/#(\d+)/.exec(await link.innerText())![1]);
      } finally {
        await page.context().close();
      }
    }, { what: 'the request the message created' });
  });
  after(async () => {
    await ui?.close();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  const editor = (page: Page) => page.getByRole('textbox', { name: RULES_LABEL, exact: true });
  const editorText = (page: Page) => page.locator('.rules-editor .cm-line').allInnerTexts().then((lines) => lines.join('\n'));
  const endSessions = () => ui.t.store.db.deleteFrom('sessions').execute();

  test('a session that ends mid-edit: Save asks for the password in a dialog, then saves what was typed', async () => {
    const page = await ui.signIn();
    await page.goto(`${ui.url}/settings/plugins/email-integration/${profileId}`);
    await editor(page).click();
    await page.keyboard.press('Control+A');
    const typed = 'then attach to project 1 and create request in project 1';
    await page.keyboard.insertText(typed);
    await endSessions();

    await page.getByRole('button', { name: 'Save' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign in again' });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Your session ended\. Sign in again to continue; what you typed is kept\./);
    assert.equal(await page.evaluate(`!!document.activeElement?.closest('dialog')`), true, 'the focus is in the dialog');
    assert.equal(await dialog.getByLabel('Name').inputValue(), 'admin', 'the name is filled in');
    // Escape closes the dialog; the page and the typed rules stay, and the refusal is said.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await editorText(page), typed);
    assert.match(await page.locator('#form-error').innerText(), /your session has ended/);

    await page.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor();
    await dialog.getByLabel('Password').fill('wrong password');
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.getByRole('alert').waitFor();
    await dialog.getByLabel('Password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Saved.').waitFor();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal((await getProfile(ui.app.store.db, profileId)).rules.trim(), typed, 'the request that failed was sent again');
    assert.equal(await editorText(page), typed, 'the editor still holds it');
    assert.equal(await page.getByRole('button', { name: 'Sign in' }).count(), 0, 'no full sign-in page');
    // Put the rules back for the other tests.
    await ui.t.store.db.updateTable('profiles').set({ rules: RULES }).where('id', '=', profileId).execute();
  });

  test('a fresh visit with no session shows the sign-in page; GET /session failing otherwise says why, with Try again', async () => {
    const page = await ui.newPage();
    let failures = 1;
    await page.route('**/api/v1/session', (route) =>
      failures-- > 0 ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'the service is starting' }) }) : route.continue());
    await page.goto(ui.url + '/');
    await page.getByRole('heading', { name: 'mailbind cannot be reached' }).waitFor();
    assert.match(await page.getByRole('alert').innerText(), /the service is starting/);
    assert.equal(await page.getByRole('dialog').count(), 0);
    assert.deepEqual(await seriousViolations(page), []);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Sign in to mailbind' }).waitFor();
    assert.equal(await page.title(), 'Sign in · mailbind');
  });

  test('a malformed path is "Not found", not a page stuck loading', async () => {
    const page = await ui.signIn();
    await page.goto(`${ui.url}/messages/%E0%A4%A`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
  });

  test('each page is titled by its heading; a navigation moves the focus to the new h1 and announces it', async () => {
    const page = await ui.signIn();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.equal(await page.title(), 'Dashboard · mailbind');
    const focusedHeading = () => page.evaluate<string | null>(`document.activeElement?.tagName === 'H1' ? document.activeElement.textContent : null`);
    const announced = () => page.locator('[aria-live="polite"][aria-atomic="true"]').innerText();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Email Integration' }).click();
    await waitFor(focusedHeading, { what: 'the focus on the h1' });
    assert.equal(await focusedHeading(), 'Email Integration');
    assert.equal(await page.title(), 'Email Integration · mailbind');
    assert.equal(await announced(), 'Email Integration');

    await page.getByRole('link', { name: 'support' }).click();
    await waitFor(async () => (await focusedHeading()) === 'Profile support', { what: 'the focus on "Profile support"' });
    assert.equal(await page.title(), 'Profile support · mailbind');
    assert.equal(await announced(), 'Profile support');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages' }).click();
    await page.getByRole('link', { name: 'The invoice is wrong' }).click();
    await waitFor(async () => (await focusedHeading()) === 'The invoice is wrong', { what: async () => `the focus on the subject, not ${await focusedHeading()}` });
    assert.equal(await page.title(), 'The invoice is wrong · mailbind');
  });

  test('a /status error on the profiles page and a requesters error on an item are shown in words', async () => {
    const page = await ui.signIn();
    await page.route('**/api/v1/status', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'internal error; the log says more' }) }));
    await page.route('**/api/v1/tracker/requesters', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'the tracker is unavailable' }) }));
    await page.goto(`${ui.url}/settings/plugins/email-integration`);
    await page.getByText('The status of the profiles could not be loaded: internal error; the log says more').waitFor();
    assert.match(await page.getByRole('row').filter({ hasText: 'support' }).innerText(), /unknown/);
    await page.goto(`${ui.url}/tracker/requests/${itemId}`);
    await page.getByText("The requesters' names could not be loaded: the tracker is unavailable").waitFor();
  });

  test('no serious accessibility violations at 390 px: messages, message, tracker, project, item, profile', async () => {
    const page = await ui.signIn(undefined, undefined, { width: 390, height: 844 });
    const pages: Array<[string, string]> = [
      ['/messages', 'Messages'],
      [`/messages/${messageId}`, 'The invoice is wrong'],
      ['/tracker', 'Tracker'],
      ['/tracker/projects/1', 'General'],
      [`/tracker/requests/${itemId}`, 'The invoice is wrong'],
      [`/settings/plugins/email-integration/${profileId}`, 'Profile support'],
    ];
    for (const [path, heading] of pages) {
      await page.goto(ui.url + path);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      // The mail's own HTML is in a sandboxed frame that axe cannot enter; the page around it is checked.
      assert.deepEqual(await seriousViolations(page), [], `${path} at 390 px`);
    }
  });
});
