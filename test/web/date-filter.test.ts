// The message log's date filters are the viewer's days: in Tokyo (UTC+9), a message received at 01:00
// on 24 November local time (16:00 UTC the day before) is inside "from 24 November until 24 November",
// and the messages just before and just after that local day are not.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importPaths } from '../../src/app/import.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { addProject } from '../../src/app/tracker.js';
import { ADMIN, chromiumSkip, startUi, type UiServer } from '../support/browser.js';
import { makeMessage } from '../support/messages.js';
import { waitFor } from '../support/wait.js';

/** Subject → when it was received (UTC); the comments give Tokyo's local time. */
const RECEIVED: Record<string, string> = {
  'Late on the 23rd': '2026-11-23T14:30:00.000Z', // 23:30 on the 23rd
  'Early on the 24th': '2026-11-23T16:00:00.000Z', // 01:00 on the 24th
  'Late on the 24th': '2026-11-24T14:30:00.000Z', // 23:30 on the 24th
  'Early on the 25th': '2026-11-24T15:30:00.000Z', // 00:30 on the 25th
};

describe('date filters in the viewer\'s time zone (Chromium)', { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  let files: string;
  before(async () => {
    ui = await startUi('sqlite');
    files = mkdtempSync(join(tmpdir(), 'mailbind-web-dates-'));
    const who = cliPrincipal('test');
    await addProject(ui.app, { name: 'General' }, who);
    await createProfile(ui.app, { name: 'support', rules: { text: 'then attach to project 1\n', label: 'test' } }, who);
    for (const [subject, at] of Object.entries(RECEIVED)) {
      const file = join(files, `${subject}.eml`);
      writeFileSync(file, makeMessage({ subject }));
      for await (const line of importPaths(ui.app, 'support', [file])) {
        if ('itemId' in line) await ui.app.store.db.updateTable('inbox_items').set({ received_at: at }).where('id', '=', line.itemId).execute();
      }
    }
  });
  after(async () => {
    await ui?.close();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  test('from and until the 24th in Tokyo shows the mail of that local day, both ends included', async () => {
    const context = await ui.browser.newContext({ timezoneId: 'Asia/Tokyo', viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(10_000);
    try {
      const page = await context.newPage();
      await page.goto(`${ui.url}/messages`);
      await page.getByLabel('Name').fill(ADMIN.name);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Messages', exact: true }).click();
      await page.getByRole('link', { name: 'Early on the 25th' }).waitFor();
      await page.getByLabel('Received from', { exact: true }).fill('2026-11-24');
      await page.getByLabel('Received until', { exact: true }).fill('2026-11-24');
      const shown = () => page.locator('table.messages tbody tr td:nth-child(2)').allInnerTexts();
      const expected = ['Late on the 24th', 'Early on the 24th'];
      await waitFor(async () => JSON.stringify(await shown()) === JSON.stringify(expected), {
        what: async () => `the log to show ${JSON.stringify(expected)}, not ${JSON.stringify(await shown())}`,
      });
    } finally {
      await context.close();
    }
  });
});
