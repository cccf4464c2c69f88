// Project codes and item fields in Chromium: the tracker's project table shows each code and an admin
// gives one (a clash shown at the Code field); a project's heading names its code; an item's page shows
// its state, priority, severity, assignee, tags and custom fields, and offers the five states. Axe finds
// nothing serious on either page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliPrincipal } from '../../src/app/principal.js';
import { addProject, addUser } from '../../src/app/tracker.js';
import { BuiltinTrackerWriter } from '../../src/tracker/builtin/writer.js';
import { chromiumSkip, seriousViolations, startUi, type UiServer } from '../support/browser.js';

const who = cliPrincipal('test');

describe('project codes and item fields in Chromium', { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  let projectId: number;
  let bugId: number;
  before(async () => {
    ui = await startUi('sqlite');
    await addProject(ui.app, { name: 'Acme support', code: 'ACME' }, who);
    projectId = (await addProject(ui.app, { name: 'Web' }, who)).id;
    const dev = await addUser(ui.app, { email: 'dev@mailbind.test', name: 'Dev' }, who);
    bugId = await new BuiltinTrackerWriter(ui.t.store.db).createItem({
      kind: 'bug', projectId, name: 'Login fails', description: 'from mail', isPrivate: false, teamId: null, sourceMessageId: null,
      state: 'in-progress', priority: 'High', severity: 'Critical', assigneeUserId: dev.id, tags: ['login', 'Urgent'], fields: { Browser: 'Firefox 128', 'Customer ref': 'A-17' },
    });
  });
  after(() => ui?.close());

  test('the project table shows codes; an admin gives one, and a clash shows at the Code field', async () => {
    const page = await ui.signIn();
    await page.goto(`${ui.url}/tracker`);
    const projects = page.getByRole('table', { name: 'Projects' });
    await projects.getByRole('cell', { name: 'ACME', exact: true }).waitFor();
    assert.deepEqual(await projects.getByRole('columnheader').allInnerTexts().then((h) => h.slice(0, 3)), ['Id', 'Name', 'Code']);

    await page.getByRole('button', { name: `Edit project ${projectId}` }).click();
    const form = page.getByRole('form', { name: `Edit projects ${projectId}` });
    await form.getByLabel('Code').fill('acme');
    await form.getByRole('button', { name: 'Save' }).click();
    const error = page.locator(`#projects-${projectId}-code-error`);
    await error.waitFor();
    assert.equal(await error.innerText(), 'project code acme is already used by project 1');
    assert.equal(await form.getByLabel('Code').getAttribute('aria-describedby'), `projects-${projectId}-code-error`);
    await form.getByLabel('Code').fill('WEB');
    await form.getByRole('button', { name: 'Save' }).click();
    await projects.getByRole('cell', { name: 'WEB', exact: true }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the tracker');

    await page.getByRole('link', { name: 'Web' }).click();
    await page.getByRole('heading', { name: 'Web (WEB)', level: 1 }).waitFor();
  });

  test("an item's page shows what rules set on it, and the five states to choose from", async () => {
    const page = await ui.signIn();
    await page.goto(`${ui.url}/tracker/bugs/${bugId}`);
    await page.getByRole('heading', { name: 'Login fails' }).waitFor();
    const details = page.locator('dl.headers').first();
    assert.equal(await details.innerText().then((text) => text.replace(/\s+/g, ' ').trim()),
      'State in-progress Priority High Severity Critical Assignee dev@mailbind.test Tags login, Urgent');
    await page.getByRole('heading', { name: 'Custom fields' }).waitFor();
    assert.equal(await page.locator('dl.headers').nth(1).innerText().then((text) => text.replace(/\s+/g, ' ').trim()), 'Browser Firefox 128 Customer ref A-17');
    assert.deepEqual(await page.getByLabel('State').locator('option').allInnerTexts(), ['new', 'open', 'in-progress', 'done', 'closed']);
    assert.deepEqual(await seriousViolations(page), [], 'the item');

    await page.getByLabel('State').selectOption('closed');
    await page.getByRole('button', { name: 'Change state' }).click();
    await details.getByText('closed').waitFor();
  });
});
