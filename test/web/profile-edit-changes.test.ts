// Editing a saved profile in Chromium: an emptied optional setting is cleared (the default applies,
// and the field stays empty after Save); Check Connection after changing only the folder uses the
// stored password; after changing the login it says at the password field to type it again.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { getProfile } from '../../src/store/profiles.js';
import { chromiumSkip, startUi, type UiServer } from '../support/browser.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';

const who = cliPrincipal('test');

describe('editing a saved profile in Chromium', { skip: chromiumSkip() || dovecotSkip() }, () => {
  let ui: UiServer;
  let dc: Dovecot;
  before(async () => {
    [ui, dc] = await Promise.all([startUi('sqlite'), startDovecot()]);
    await dc.deliver(dc.users[0]!.user, 'Subject: filed\r\n\r\nin the archive\r\n', { folder: 'Archive' });
  });
  after(async () => {
    await ui?.close();
    await dc?.stop();
  });

  const imap = () => ({ protocol: 'imap' as const, host: '127.0.0.1', port: dc.ports.imap, tls: 'none' as const, login: dc.users[0]!.user, password: dc.users[0]!.password });

  test('emptying After an imported message, After any other message and the address clears them', async () => {
    const source = { ...imap(), afterImport: 'delete', afterOther: 'move:Done', address: 'help@example.com' };
    const { profile } = await createProfile(ui.app, { name: 'clearing', source }, who);
    const page = await ui.signIn();
    await page.goto(`${ui.url}/settings/plugins/email-integration/${profile.id}`);
    for (const label of ['After an imported message', 'After any other message', "The mailbox's own address"]) {
      assert.notEqual(await page.getByLabel(label).inputValue(), '');
      await page.getByLabel(label).fill('');
    }
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const stored = (await getProfile(ui.app.store.db, profile.id)).source!;
    assert.equal(stored.afterImport, undefined);
    assert.equal(stored.afterOther, undefined);
    assert.equal(stored.address, undefined);
    assert.ok(stored.password, 'the password is kept');
    for (const label of ['After an imported message', 'After any other message', "The mailbox's own address"]) {
      assert.equal(await page.getByLabel(label).inputValue(), '', `${label} stays empty`);
    }
  });

  test('Check Connection after changing only the folder uses the stored password and passes', async () => {
    const { profile } = await createProfile(ui.app, { name: 'folders', source: imap() }, who);
    const page = await ui.signIn();
    await page.goto(`${ui.url}/settings/plugins/email-integration/${profile.id}`);
    await page.getByLabel('Folder').fill('Archive');
    await page.getByRole('button', { name: 'Check Connection' }).click();
    const steps = page.getByRole('list', { name: 'Check Connection steps' });
    await steps.getByText('✓ folder').waitFor();
    assert.equal(await steps.locator('li.failed').count(), 0);
    assert.match(await steps.innerText(), /Archive/);
    assert.equal((await getProfile(ui.app.store.db, profile.id)).source!.folder, 'INBOX', 'checking saved nothing');

    // A new login would send the stored password elsewhere: the check says so at the password field.
    await page.getByLabel('Login', { exact: true }).fill('someone-else');
    await page.getByRole('button', { name: 'Check Connection' }).click();
    await page.locator('#password-error').waitFor();
    assert.match(await page.locator('#password-error').innerText(), /Password should be given again: the login changed/);
  });
});
