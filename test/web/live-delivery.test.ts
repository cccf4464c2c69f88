// Mail delivered to a real mailbox shows up in the open message log by itself: Dovecot receives it,
// the service (polling the profile's IMAP mailbox with IDLE) takes and processes it, and the log
// page, never reloaded, lists it; the trace shows the rule, and the project's inbox has the message
// with the request it created.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { runService } from '../../src/app/service.js';
import { addProject } from '../../src/app/tracker.js';
import { chromiumSkip, startUi, type UiServer } from '../support/browser.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { makeMessage } from '../support/messages.js';

describe('mail delivered to Dovecot appears in the open log', { skip: chromiumSkip() || dovecotSkip() }, () => {
  let ui: UiServer;
  let dc: Dovecot;
  const stop = new AbortController();
  let service: Promise<void>;
  before(async () => {
    [ui, dc] = await Promise.all([startUi('sqlite'), startDovecot()]);
    const who = cliPrincipal('test');
    await addProject(ui.app, { name: 'General' }, who);
    await createProfile(ui.app, {
      name: 'support',
      rules: { text: "when subject contains 'printer' then attach to project 1 and create request in project 1\nthen attach to project 1\n", label: 'test' },
      source: { protocol: 'imap', host: '127.0.0.1', port: dc.ports.imap, tls: 'none', login: 'alice', password: 'alicepw', firstRun: 'all', pollSeconds: 5 },
    }, who);
    service = runService(ui.app, ui.log.logger, { kind: 'worker', signal: stop.signal });
  });
  after(async () => {
    stop.abort();
    await service?.catch(() => undefined);
    await ui?.close();
    await dc?.stop();
  });

  test('delivered → in the log without a reload → the trace shows the rule → the project inbox has it with its request', async () => {
    const page = await ui.signIn();
    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    await page.getByRole('heading', { name: 'Messages' }).waitFor();
    await page.evaluate(() => void ((globalThis as { marker?: number }).marker = 1));

    await dc.deliver('alice', makeMessage({ subject: 'The printer is on fire' }));
    const link = page.getByRole('link', { name: 'The printer is on fire' });
    await link.waitFor({ timeout: 20_000 });
    assert.equal(await page.evaluate(() => (globalThis as { marker?: number }).marker), 1, 'the page was not reloaded');
    await page.getByRole('row').filter({ has: link }).getByText('imported').waitFor({ timeout: 20_000 });

    await link.click();
    const trace = page.locator('.trace');
    await trace.waitFor();
    assert.match(await trace.innerText(), /Line 1: matched/);
    assert.match(await trace.innerText(), /subject contains 'printer'/);

    await page.goto(`${ui.url}/tracker/projects/1`);
    await page.getByRole('table', { name: 'Messages attached to the project' }).getByRole('link', { name: 'The printer is on fire' }).waitFor();
    await page.getByRole('table', { name: 'Requests of the project' }).getByRole('link', { name: 'The printer is on fire' }).waitFor();
    assert.deepEqual(ui.cspViolations, []);
  });
});
