// The Outgoing mail section of a profile in Chromium: SMTP settings saved with the password write-only,
// Acknowledge turned on, and Check SMTP Connection showing each step, with a wrong password named
// next to the SMTP password field (not the mailbox's).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { getProfile } from '../../src/store/profiles.js';
import { chromiumSkip, startUi, type UiServer } from '../support/browser.js';
import { SmtpSink } from '../support/smtp-sink.js';

const PASSWORD = 'web-smtp-Secret-7';

describe('outgoing mail settings in Chromium', { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  let sink: SmtpSink;
  before(async () => {
    ui = await startUi('sqlite');
    sink = await SmtpSink.start({ password: PASSWORD });
  });
  after(async () => {
    await sink?.stop();
    await ui?.close();
  });

  test('SMTP settings and Acknowledge save; Check SMTP Connection shows every step and names a wrong password', async () => {
    const { profile } = await createProfile(ui.app, { name: 'outgoing' }, cliPrincipal('test'));
    const page = await ui.signIn();
    await page.goto(`${ui.url}/settings/plugins/email-integration/${profile.id}`);
    const section = page.getByRole('group', { name: 'Outgoing mail' });
    await section.getByLabel('SMTP server', { exact: true }).fill('localhost');
    await section.getByLabel('SMTP port', { exact: true }).fill(String(sink.port));
    await section.locator('#smtpAllowInvalidCertificate').check();
    await section.getByLabel('SMTP user', { exact: true }).fill('mailer');
    await section.getByLabel('SMTP password', { exact: true }).fill(PASSWORD);
    await section.getByLabel('Send from address').fill('help@example.com');
    await page.locator('#acknowledge').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const stored = await getProfile(ui.app.store.db, profile.id);
    assert.equal(stored.threading.acknowledge, true);
    assert.equal(stored.smtp?.host, 'localhost');
    assert.match(stored.smtp?.password ?? '', /^v1:/, 'sealed at rest');
    assert.equal(await section.getByLabel('SMTP password', { exact: true }).inputValue(), '', 'the password is never shown again');

    await section.getByRole('button', { name: 'Check SMTP Connection' }).click();
    const steps = section.getByRole('list', { name: 'Check SMTP Connection steps' });
    await steps.getByText('logged in as mailer').waitFor();
    assert.equal(await steps.locator('li.ok').count(), 4);

    await section.getByLabel('SMTP password', { exact: true }).fill('wrong-one');
    await section.getByRole('button', { name: 'Check SMTP Connection' }).click();
    await section.locator('#smtpPassword-error').getByText(/wrong user or password/).waitFor();
    assert.equal(await page.locator('#password-error').count(), 0, "the mailbox's password field shows nothing");
  });
});
