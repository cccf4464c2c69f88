// The Replies settings of a profile in Chromium: shown as stored, changed and saved; and an item made
// from a reply to a closed item names the item it follows up, with its participants.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { getProfile } from '../../src/store/profiles.js';
import { addProject } from '../../src/tracker/builtin/admin.js';
import { BuiltinTrackerWriter } from '../../src/tracker/builtin/writer.js';
import { chromiumSkip, startUi, type UiServer } from '../support/browser.js';

const who = cliPrincipal('test');

describe('reply settings and follow-ups in Chromium', { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  before(async () => {
    ui = await startUi('sqlite');
  });
  after(() => ui?.close());

  test('the Replies settings show what is stored and save what is changed', async () => {
    const { profile } = await createProfile(ui.app, { name: 'replies', threading: { subjectTokens: true } }, who);
    const page = await ui.signIn();
    await page.goto(`${ui.url}/settings/plugins/email-integration/${profile.id}`);
    const replies = page.getByRole('group', { name: 'Replies' });
    assert.equal(await replies.locator('#subjectTokens').isChecked(), true);
    assert.equal(await replies.locator('#companyMayReply').isChecked(), false);
    await replies.locator('#companyMayReply').check();
    await page.getByLabel('A reply to a closed item').selectOption('new-item');
    assert.equal(await replies.locator('#rateLimitPerSenderHour').inputValue(), '20');
    await page.getByLabel('Messages per sender per hour').fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    assert.deepEqual((await getProfile(ui.app.store.db, profile.id)).threading, { subjectTokens: true, companyMayReply: true, closedReplies: 'new-item', rateLimitPerSenderHour: 0, acknowledge: false });
  });

  test('an item shows the closed item it follows up and its participants', async () => {
    const db = ui.app.store.db;
    await addProject(db, { name: 'General' });
    const writer = new BuiltinTrackerWriter(db);
    const item = (name: string) => writer.createItem({ kind: 'request', projectId: 1, name, description: '', isPrivate: false, teamId: null, sourceMessageId: null });
    const old = await item('Printer');
    const next = await item('Printer again');
    await writer.linkFollowUp(next, old);
    await writer.addParticipants(next, [{ email: 'kim@partner.example', source: 'cc' }]);
    const page = await ui.signIn();
    await page.goto(`${ui.url}/tracker/requests/${next}`);
    await page.getByText(`Follows up #${old}`).waitFor();
    assert.match(await page.locator('main, body').first().innerText(), /Participants[\s\S]*kim@partner\.example/);
  });
});
