// The dashboard says since when a profile has been failing (the first failure of the streak, not the
// latest) and shows the error in words beside it, not only in a tooltip; a profile whose polls work but
// leave a message on the server they could not download says so, with the error, in words too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { recordPollFailure, recordPollSuccess } from '../../src/sources/status.js';
import { chromiumSkip, seriousViolations, startUi, type UiServer } from '../support/browser.js';

const START = '2026-01-02T03:04:05.000Z';

describe('a failing profile, and one that leaves a message behind, on the dashboard (Chromium)', { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  before(async () => {
    ui = await startUi('sqlite');
    const made = await createProfile(ui.app, { name: 'mailbox', source: { protocol: 'imap', host: '127.0.0.1', login: 'a', password: 'pw-1' } }, cliPrincipal('test'));
    const next = new Date(Date.now() + 3_600_000).toISOString();
    await recordPollFailure(ui.app.store.db, made.profile.id, 'connection refused', next);
    // The streak began long ago; the two failures since then moved last_error_at, not its start.
    await ui.app.store.db.updateTable('profile_status').set({ failing_since: START }).where('profile_id', '=', made.profile.id).execute();
    await recordPollFailure(ui.app.store.db, made.profile.id, 'connection refused', next);
    await recordPollFailure(ui.app.store.db, made.profile.id, 'login failed: wrong password', next);
    const working = await createProfile(ui.app, { name: 'leaves one', source: { protocol: 'pop3', host: '127.0.0.1', login: 'b', password: 'pw-2' } }, cliPrincipal('test'));
    await recordPollSuccess(ui.app.store.db, working.profile.id, next, [{ key: 'pop3:b@127.0.0.1:uidl-7', error: 'RETR refused by the server: -ERR message unreadable' }]);
    const three = await createProfile(ui.app, { name: 'leaves three', source: { protocol: 'pop3', host: '127.0.0.1', login: 'c', password: 'pw-3' } }, cliPrincipal('test'));
    await recordPollSuccess(ui.app.store.db, three.profile.id, next, ['u1', 'u2', 'u3'].map((u) => ({ key: `pop3:c@127.0.0.1:${u}`, error: `RETR refused: ${u}` })));
  });
  after(() => ui?.close());

  test('"failing since" the start of the streak, and the latest error as visible text', async () => {
    for (const width of [1280, 390]) {
      const page = await ui.signIn(undefined, undefined, { width, height: 900 });
      await page.goto(`${ui.url}/`);
      const start = await page.evaluate((iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }), START);
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'mailbox' }) });
      await row.getByText(`failing since ${start}`, { exact: true }).waitFor();
      const error = row.getByText(/login failed: wrong password/);
      assert.equal(await error.isVisible(), true, `the error is shown, not only a tooltip (${width} px)`);
      assert.match(await error.innerText(), /3 failed polls/);
      assert.deepEqual(await seriousViolations(page), [], `the dashboard at ${width} px`);
    }
  });

  test('polls that work but leave messages behind: "1 message not downloaded" (or 3), the first one\'s error and key as visible text', async () => {
    for (const width of [1280, 390]) {
      const page = await ui.signIn(undefined, undefined, { width, height: 900 });
      await page.goto(`${ui.url}/`);
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'leaves one' }) });
      await row.getByText('1 message not downloaded', { exact: true }).waitFor();
      const error = row.getByText(/RETR refused by the server: -ERR message unreadable/);
      assert.equal(await error.isVisible(), true, `the error is shown (${width} px)`);
      assert.match(await error.innerText(), /pop3:b@127\.0\.0\.1:uidl-7, since [^;]+; it stays on the server and every poll tries again\)$/);
      const three = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'leaves three' }) });
      await three.getByText('3 messages not downloaded', { exact: true }).waitFor();
      assert.match(await three.getByText(/RETR refused: u1/).innerText(), /pop3:c@127\.0\.0\.1:u1, since [^;]+; and 2 more, listed by mailbind profile status; they stay on the server/);
      assert.deepEqual(await seriousViolations(page), [], `the dashboard at ${width} px`);
    }
  });
});
