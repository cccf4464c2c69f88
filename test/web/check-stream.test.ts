// Check Connection as it happens, in Chromium: behind a TCP proxy that accepts and then holds the
// server's greeting (a slow mail server), the `tcp` step is on the page while `greeting` is still
// pending; released, the rest follow. And the whole add-profile → check → save flow from the keyboard
// alone (Tab, Shift+Tab, Space, Enter and typing), with a visible focus ring at every stop.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumSkip, startUi, type UiServer } from '../support/browser.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { startProxy, type TcpProxy } from '../support/tcp-proxy.js';

interface Focused {
  id: string;
  text: string;
  outline: string;
}

const focused = (page: Page): Promise<Focused> =>
  page.evaluate(`(() => {
    const el = document.activeElement;
    const style = el ? getComputedStyle(el) : null;
    return { id: el?.id ?? '', text: (el?.textContent ?? '').trim(), outline: style ? style.outlineStyle + ' ' + style.outlineWidth : '' };
  })()`);

/** Presses `key` (Tab or Shift+Tab) until the focus is on `target` (an element id, or a button's text). */
async function moveTo(page: Page, target: string, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
  for (let presses = 0; presses < 60; presses++) {
    await page.keyboard.press(key);
    const now = await focused(page);
    if (now.id === target || now.text === target) {
      assert.doesNotMatch(now.outline, /^none|\b0px$/, `a visible focus ring on ${target}`);
      return;
    }
  }
  assert.fail(`${key} never reached ${target}`);
}

describe('Check Connection step by step, and the profile flow from the keyboard', { skip: chromiumSkip() || dovecotSkip() }, () => {
  let ui: UiServer;
  let dc: Dovecot;
  let proxy: TcpProxy;
  before(async () => {
    [ui, dc] = await Promise.all([startUi('sqlite'), startDovecot()]);
    proxy = await startProxy({ targetPort: dc.ports.imap });
  });
  after(async () => {
    await proxy?.close();
    await ui?.close();
    await dc?.stop();
  });

  test('each step appears as it completes: tcp is shown while the greeting is still held back', async () => {
    const page = await ui.signIn();
    await page.goto(ui.url + '/settings/plugins/email-integration/new');
    await page.getByLabel('Profile name').fill('slow');
    await page.getByLabel('Security').selectOption('none');
    await page.getByLabel('Server', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(proxy.port));
    await page.getByLabel('Login', { exact: true }).fill(dc.users[0]!.user);
    await page.getByLabel('Password', { exact: true }).fill(dc.users[0]!.password);
    proxy.stall();
    try {
      await page.getByRole('button', { name: 'Check Connection' }).click();
      const steps = page.getByRole('list', { name: 'Check Connection steps' });
      await steps.getByText('✓ tcp').waitFor();
      assert.equal(await steps.getByText(/greeting/).count(), 0, 'the greeting has not arrived yet');
      assert.equal(await page.getByRole('button', { name: 'Checking…' }).isDisabled(), true, 'still working, and saying so');
      assert.match(await steps.innerText(), /✓ tcp\s+\d+ ms\s+connected to/);
    } finally {
      proxy.resume();
    }
    const steps = page.getByRole('list', { name: 'Check Connection steps' });
    await steps.getByText('✓ folder').waitFor();
    assert.deepEqual(await steps.locator('.step-name').allInnerTexts(), ['✓ dns', '✓ tcp', '✓ greeting', '✓ capabilities', '✓ auth', '✓ folder']);
    await page.getByRole('button', { name: 'Check Connection' }).waitFor();
    proxy.passThrough();
  });

  test('add profile → check → fix the field at fault → check → save, with the keyboard only', async () => {
    const page = await ui.signIn();
    await page.goto(ui.url + '/settings/plugins/email-integration');
    // The one focus not made by a key: the start of the flow.
    await page.getByRole('link', { name: 'Add Profile' }).first().focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Add Profile' }).waitFor();

    await moveTo(page, 'name');
    await page.keyboard.type('keyboard');
    await moveTo(page, 'host');
    await page.keyboard.type('127.0.0.1');
    await moveTo(page, 'port');
    await page.keyboard.type(String(dc.ports.imaps)); // the field's text is selected when tabbed into
    assert.equal(await page.getByLabel('Port', { exact: true }).inputValue(), String(dc.ports.imaps));
    await moveTo(page, 'login');
    await page.keyboard.type(dc.users[0]!.user);
    await moveTo(page, 'password');
    await page.keyboard.type(dc.users[0]!.password);

    await moveTo(page, 'Check Connection');
    await page.keyboard.press('Enter');
    // The test CA is not one the service trusts: the failure lands at the certificate setting.
    const certificateError = page.locator('#allowInvalidCertificate-error');
    await certificateError.waitFor();
    assert.match(await certificateError.innerText(), /certificate/i);

    await moveTo(page, 'allowInvalidCertificate', 'Shift+Tab');
    await page.keyboard.press('Space');
    assert.equal(await page.getByLabel('accept a self-signed or mismatched certificate').isChecked(), true);
    await moveTo(page, 'Check Connection');
    await page.keyboard.press('Space');
    const steps = page.getByRole('list', { name: 'Check Connection steps' });
    await steps.getByText('✓ folder').waitFor();
    assert.equal(await steps.locator('li.failed').count(), 0);
    assert.equal(await certificateError.count(), 0, 'the message left with the fix');

    await moveTo(page, 'Save');
    await page.keyboard.press('Enter');
    await page.getByText('Saved.').waitFor();
    assert.match(page.url(), /\/settings\/plugins\/email-integration\/\d+$/);
    const saved = await ui.app.store.db.selectFrom('profiles').select(['name']).where('name', '=', 'keyboard').executeTakeFirst();
    assert.equal(saved?.name, 'keyboard');
  });
});
