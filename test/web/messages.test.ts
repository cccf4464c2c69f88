// The message log, a message and the tracker in Chromium. Mail is imported into the running app while
// the log is open and appears there without a reload; its trace names the rule; the request it
// created is in the project with the message in its inbox. A hostile HTML mail shows with no script
// run and nothing fetched from outside until "Show images". A viewer reads everything and may change
// nothing. axe finds nothing serious on any of the pages.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { addAccount } from '../../src/app/accounts.js';
import { importPaths } from '../../src/app/import.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { addProject } from '../../src/app/tracker.js';
import { chromiumSkip, seriousViolations, startUi, type UiServer } from '../support/browser.js';
import { hostileMessage, REMOTE_IMAGE } from '../support/hostile-mail.js';
import { makeMessage } from '../support/messages.js';
import { waitFor } from '../support/wait.js';

const RULES = "when subject contains 'invoice' then attach to project 1 and create request in project 1\nthen attach to project 1\n";
const VIEWER = { name: 'victor', password: 'viewer password 123' };

async function seriousOutsideFrame(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).exclude('iframe.mail-html').analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
}

describe('messages and tracker in Chromium', { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  let files: string;
  before(async () => {
    ui = await startUi('sqlite');
    files = mkdtempSync(join(tmpdir(), 'mailbind-web-messages-'));
    const who = cliPrincipal('test');
    await addAccount(ui.app, { name: VIEWER.name, role: 'viewer', password: VIEWER.password }, who);
    await addProject(ui.app, { name: 'General' }, who);
    await createProfile(ui.app, { name: 'support', rules: { text: RULES, label: 'test' } }, who);
  });
  after(async () => {
    await ui?.close();
    if (files) rmSync(files, { recursive: true, force: true });
  });
  async function imported(name: string, raw: Buffer): Promise<number> {
    writeFileSync(join(files, name), raw);
    for await (const line of importPaths(ui.app, 'support', [join(files, name)])) if ('itemId' in line) return line.itemId;
    throw new Error(`${name} was not imported`);
  }
  const stayedLoaded = (page: Page) => page.evaluate(() => (globalThis as { marker?: number }).marker === 1);

  test('mail imported while the log is open appears without a reload; its trace names the rule; the request is in the project', async () => {
    const page = await ui.signIn();
    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    await page.getByText('No messages yet').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the empty log');
    await page.evaluate(() => void ((globalThis as { marker?: number }).marker = 1));
    await imported('invoice.eml', makeMessage({ subject: 'The invoice is wrong', from: 'Ada Customer <ada@customer.example>' }));
    const link = page.getByRole('link', { name: 'The invoice is wrong' });
    await link.waitFor();
    assert.equal(await stayedLoaded(page), true, 'the page was not reloaded');
    // The poll may catch the message between its intake and its outcome ("processing"); the next
    // poll brings the outcome into the same row, still without a reload.
    await page.getByRole('row').filter({ has: link, hasText: 'imported' }).waitFor();
    assert.equal(await stayedLoaded(page), true, 'the page was not reloaded for the outcome');
    assert.deepEqual(await seriousViolations(page), [], 'the log');

    await link.click();
    await page.getByRole('heading', { name: 'How it was decided' }).waitFor();
    const trace = page.locator('.trace');
    assert.match(await trace.innerText(), /Line 1: matched/);
    assert.match(await trace.innerText(), /subject contains 'invoice'/);
    assert.match(await trace.innerText(), /rules version 1/);
    await page.locator('pre.mail-text').waitFor();
    assert.match(await page.locator('pre.mail-text').innerText(), /something is broken/);
    assert.equal(await page.getByRole('button', { name: 'Retry' }).count(), 1, 'an admin may retry');
    assert.deepEqual(await seriousViolations(page), [], 'the message');

    await page.getByRole('link', { name: /request #\d+/ }).click();
    await page.getByRole('heading', { name: 'The invoice is wrong' }).waitFor();
    await page.getByRole('heading', { name: 'Requesters' }).waitFor();
    await page.getByText('<ada@customer.example>').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the request');
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Project 1' }).click();
    await page.getByRole('heading', { name: 'General' }).waitFor();
    const inbox = page.getByRole('table', { name: 'Messages attached to the project' });
    await inbox.getByRole('link', { name: 'The invoice is wrong' }).waitFor();
    await page.getByRole('table', { name: 'Requests of the project' }).getByRole('link', { name: 'The invoice is wrong' }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the project');
    assert.equal(await stayedLoaded(page), true, 'navigation stayed in the app');
  });

  test('hostile HTML: no script runs, nothing leaves the origin until Show images, then the image is asked for', async () => {
    const id = await imported('hostile.eml', hostileMessage());
    const page = await ui.signIn();
    const before = ui.requests.length;
    await page.goto(`${ui.url}/messages/${id}`);
    const frameElement = page.locator('iframe.mail-html');
    await frameElement.waitFor();
    const frame = page.frameLocator('iframe.mail-html');
    await frame.getByText('Kind regards, Mallory').waitFor();
    await frame.getByRole('img', { name: '[image not loaded: tracking pixel]' }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as { pwned?: number }).pwned), undefined, 'no script ran in the page');
    // The frame runs no script at all, so it is looked at from outside: the canary's attribute.
    assert.equal(await frame.locator('[data-pwned]').count(), 0, 'no script ran in the frame');
    assert.equal(await page.locator('[data-pwned]').count(), 0);
    assert.equal(await frame.locator('script, form, input, iframe, [onerror]').count(), 0);
    assert.equal(await frameElement.getAttribute('sandbox'), 'allow-popups allow-popups-to-escape-sandbox', 'sandboxed: no scripts, forms or same-origin access; popups for links only');
    const seen = ui.requests.slice(before);
    assert.ok(seen.length > 0);
    assert.deepEqual(seen.filter((url) => !url.startsWith(ui.url)), [], 'nothing requested outside the app before Show images');
    assert.match(await page.getByText(/remote image is blocked/).innerText(), /1 remote image/);
    // axe runs everywhere but inside the frame: it runs no script there (by design), and what is in it
    // is the sender's HTML, not ours. The frame element itself (its title) is checked.
    assert.deepEqual(await seriousOutsideFrame(page), [], 'the message with HTML');

    await page.getByRole('button', { name: 'Show images' }).click();
    await waitFor(() => ui.requests.includes(REMOTE_IMAGE), { what: `a request for ${REMOTE_IMAGE}` });
    await waitFor(() => page.frames().some((f) => f.url().includes('/body.html?images=1')), { what: 'the frame with images' });
    await frame.getByText('Kind regards, Mallory').waitFor();
    assert.equal(await frame.locator('[data-pwned]').count(), 0, 'still no script with images');
    assert.equal(await page.evaluate(() => (globalThis as { pwned?: number }).pwned), undefined);
    assert.deepEqual(ui.cspViolations.filter((v) => !/img-src|198\.51\.100\.7/.test(v)), [], 'the app itself causes no CSP violation');
  });

  test('a viewer sees messages and items but no edit controls, and the API refuses their edits', async () => {
    const page = await ui.signIn(VIEWER.name, VIEWER.password);
    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    await page.getByRole('link', { name: 'The invoice is wrong' }).click();
    await page.getByRole('heading', { name: 'How it was decided' }).waitFor();
    await page.getByRole('link', { name: 'Download raw message' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Retry|Reprocess/ }).count(), 0);
    await page.getByRole('link', { name: 'Tracker', exact: true }).click();
    await page.getByRole('link', { name: 'General' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Add |^Edit/ }).count(), 0);
    assert.deepEqual(await seriousViolations(page), [], 'the tracker');
    await page.getByRole('link', { name: 'General' }).click();
    await page.getByRole('table', { name: 'Requests of the project' }).getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Description' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Change state' }).count(), 0);

    const refused = await page.evaluate(async () => {
      const { csrfToken } = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const headers = { 'content-type': 'application/json', 'x-csrf-token': csrfToken };
      const create = await fetch('/api/v1/tracker/projects', { method: 'POST', headers, body: JSON.stringify({ name: 'Sneaky' }) });
      const retry = await fetch('/api/v1/messages/1/retry', { method: 'POST', headers });
      const state = await fetch('/api/v1/tracker/requests/1', { method: 'PATCH', headers, body: JSON.stringify({ state: 'done' }) });
      return [create.status, retry.status, state.status, ((await create.json()) as { error: string }).error];
    });
    assert.deepEqual(refused.slice(0, 3), [403, 403, 403]);
    assert.match(String(refused[3]), /admin/);
  });

  test('an admin adds a company with its domains, and a field error shows at its field', async () => {
    const page = await ui.signIn();
    await page.goto(`${ui.url}/tracker`);
    await page.getByRole('button', { name: 'Add company' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Customer Ltd');
    await page.getByLabel('Domains', { exact: true }).fill('customer.example, customer.test');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'customer.example, customer.test' }).waitFor();
    await page.getByRole('button', { name: 'Add company' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Customer Ltd');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').first().waitFor();
    assert.match(await page.locator('.kept-form').innerText(), /taken|exists|already/i);
  });

  test('the dashboard draws the last 24 hours as a picture with a text alternative', async () => {
    for (const width of [1280, 390]) {
      const page = await ui.signIn(undefined, undefined, { width, height: 800 });
      const chart = page.getByRole('img', { name: 'Messages per hour by outcome' });
      await chart.waitFor();
      assert.match((await chart.locator('desc').textContent()) ?? '', /In the last 24 hours: \d+ imported/);
      assert.ok((await chart.locator('rect').count()) >= 1);
      assert.deepEqual(await seriousViolations(page), [], `dashboard at ${width}`);
    }
  });
});
