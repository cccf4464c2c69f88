// A comment made from a reply shows only the new words; what was stripped (the quoted history) stays
// one click away on the item's page, folded until asked for, and the page stays accessible.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliPrincipal } from '../../src/app/principal.js';
import { addProject } from '../../src/app/tracker.js';
import { BuiltinTrackerWriter } from '../../src/tracker/builtin/writer.js';
import { chromiumSkip, seriousViolations, startUi, type UiServer } from '../support/browser.js';

const who = cliPrincipal('test');

describe("a comment's quoted text in Chromium", { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  let requestId: number;
  before(async () => {
    ui = await startUi('sqlite');
    const projectId = (await addProject(ui.app, { name: 'Support' }, who)).id;
    const writer = new BuiltinTrackerWriter(ui.t.store.db);
    requestId = await writer.createItem({
      kind: 'request', projectId, name: 'Printer on fire', description: 'from mail', isPrivate: false, teamId: null, sourceMessageId: null,
      state: 'open', priority: null, severity: null, assigneeUserId: null, tags: [], fields: {},
    });
    await writer.addComment({ itemId: requestId, messageId: null, requesterId: null, userId: null, body: 'It is out now, thanks.', quotedText: 'On Mon, Nov 30, 2026 Support wrote:\n> Is it still burning?' });
    await writer.addComment({ itemId: requestId, messageId: null, requesterId: null, userId: null, body: 'One more thing.', quotedText: null });
  });
  after(() => ui?.close());

  test('the new words show; the quote opens from "Show quoted text"', async () => {
    const page = await ui.signIn();
    await page.goto(`${ui.url}/tracker/requests/${requestId}`);
    const comments = page.locator('ol.comments > li');
    await comments.first().getByText('It is out now, thanks.').waitFor();
    assert.equal(await comments.count(), 2);
    const quoted = comments.first().getByText('Is it still burning?');
    assert.equal(await quoted.isVisible(), false, 'the quote is folded away');
    await comments.first().getByText('Show quoted text (2 lines)').click();
    await quoted.waitFor({ state: 'visible' });
    assert.equal(await comments.nth(1).getByText(/Show quoted text/).count(), 0, 'nothing to show when nothing was stripped');
    assert.deepEqual(await seriousViolations(page), []);
  });
});
