// A link in an HTML mail, clicked in Chromium, opens a new page at the link's address (the frame's
// sandbox allows popups and lets them out of it), while the mail's script still does not run and its
// relative link leads nowhere. The link points at this test server, so nothing leaves loopback.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importPaths } from '../../src/app/import.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { addProject } from '../../src/app/tracker.js';
import { chromiumSkip, startUi, type UiServer } from '../support/browser.js';

function htmlMessage(html: string): Buffer {
  const boundary = 'alt_' + randomBytes(6).toString('hex');
  return Buffer.from(
    [
      'From: Ada <ada@example.com>', 'To: support@mailbind.test', 'Subject: A mail with links',
      'Date: Tue, 24 Nov 2026 10:00:00 +0000', `Message-ID: <${randomBytes(8).toString('hex')}@example.com>`,
      'MIME-Version: 1.0', `Content-Type: multipart/alternative; boundary="${boundary}"`, '',
      `--${boundary}`, 'Content-Type: text/plain; charset=utf-8', '', 'See the status page.',
      `--${boundary}`, 'Content-Type: text/html; charset=utf-8', '', html, `--${boundary}--`, '',
    ].join('\r\n'),
  );
}

describe('links in HTML mail in Chromium', { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  let files: string;
  let id: number;
  before(async () => {
    ui = await startUi('sqlite');
    files = mkdtempSync(join(tmpdir(), 'mailbind-web-links-'));
    const who = cliPrincipal('test');
    await addProject(ui.app, { name: 'General' }, who);
    await createProfile(ui.app, { name: 'support', rules: { text: 'then attach to project 1\n', label: 'test' } }, who);
    const target = `${ui.url}/healthz?from=mail`;
    const html = `<html><head><script>document.documentElement.setAttribute('data-pwned', '1')</script></head><body>
<p><a href="${target}">the status page</a> and <a href="/api/v1/admin/accounts">the admin page</a></p>
<div style="position:fixed;top:0;left:0">Sign in again</div></body></html>`;
    writeFileSync(join(files, 'links.eml'), htmlMessage(html));
    for await (const line of importPaths(ui.app, 'support', [join(files, 'links.eml')])) if ('itemId' in line) id = line.itemId;
  });
  after(async () => {
    await ui?.close();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  test('clicking a link opens a new page at its address; no script runs; the relative link has no address', async () => {
    const page = await ui.signIn();
    await page.goto(`${ui.url}/messages/${id}`);
    const frame = page.frameLocator('iframe.mail-html');
    const link = frame.getByRole('link', { name: 'the status page' });
    await link.waitFor();
    const [popup] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await popup.waitForLoadState();
    assert.equal(popup.url(), `${ui.url}/healthz?from=mail`);
    assert.equal(await popup.evaluate(() => (globalThis as { opener?: unknown }).opener ?? null), null, 'no opener: the new page cannot reach back');
    assert.equal(await frame.locator('[data-pwned]').count(), 0, 'the mail still runs no script');
    assert.equal(await frame.getByText('the admin page').getAttribute('href'), null, 'a relative link keeps its text, not its address');
    assert.equal(await frame.getByText('Sign in again').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { position: string } }).getComputedStyle(el).position), 'static', 'nothing pinned over the page');
    await popup.close();
  });
});
