// Plugin words in the web editor, in Chromium: with the example plugin loaded by the service, the
// editor (which parses rules in the browser) takes its phrases without a marker, highlights them as
// keywords, suggests the phrase for a misspelling, formats them, and the language reference lists them
// with the plugin's name; the rule tester, which asks the server, evaluates them for real.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { loadPlugins } from '../../src/app/plugins.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { addProject } from '../../src/app/tracker.js';
import { chromiumSkip, seriousViolations, startUi, type UiServer } from '../support/browser.js';
import { makeMessage } from '../support/messages.js';
import { waitFor } from '../support/wait.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/plugins/spam-score.mjs', import.meta.url));
const RULES = "when spam score above 5 then ignore because 'spam'\nthen create request in project 1 and tag as spam";
const RULES_LABEL = 'Rules (checked top to bottom, first match wins)';
const who = cliPrincipal('test');

describe('plugin words in the rules editor, in Chromium', { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  let page: Page;
  before(async () => {
    // The service loads plugins at start-up; this one runs in the test's process.
    await loadPlugins(EXAMPLE);
    ui = await startUi('sqlite');
    await addProject(ui.app, { name: 'General' }, who);
    const { profile } = await createProfile(ui.app, { name: 'spam', rules: { text: RULES, label: 'test', comment: 'first' } }, who);
    page = await ui.signIn();
    await page.goto(`${ui.url}/settings/plugins/email-integration/${profile.id}`);
    await editor().waitFor();
  });
  after(async () => {
    await ui?.close();
    await loadPlugins('');
  });

  const editor = () => page.getByRole('textbox', { name: RULES_LABEL, exact: true });
  const editorText = () => page.locator('.rules-editor .cm-line').allInnerTexts().then((lines) => lines.join('\n'));
  async function replaceRules(text: string) {
    await editor().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(text);
  }

  test('the saved plugin rules show without a marker, their words highlighted as keywords', async () => {
    await waitFor(async () => (await editorText()) === RULES, { what: 'the rules in the editor', timeoutMs: 5000 });
    // The problem list is worked out as the page renders the text: it would be there already.
    assert.equal(await page.locator('.rules-problems').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Format' }).isDisabled(), false, 'Format is offered: the rules have no errors');
    const keywords = await page.locator('.rules-editor .cm-line').first().locator('.cm-rule-keyword').allInnerTexts();
    assert.deepEqual(keywords, ['when', 'spam', 'score', 'above', 'then', 'ignore', 'because']);
    const line2 = await page.locator('.rules-editor .cm-line').nth(1).locator('.cm-rule-keyword').allInnerTexts();
    assert.deepEqual(line2.slice(-3), ['tag', 'as', 'spam']);
  });

  test('a misspelt plugin phrase is marked with its suggestion, without asking the server; Format prints plugin phrases canonically', async () => {
    const before = ui.requests.length;
    await replaceRules("when spam scroe above 5 then ignore because 'spam'");
    const problem = page.locator('.rules-problems li.error');
    await problem.waitFor();
    assert.equal(await problem.innerText(), "Line 1, column 11: expected 'score' after 'spam' but found 'scroe' (did you mean 'spam score above'?)");
    assert.deepEqual(ui.requests.slice(before), [], 'typing asked the server nothing');

    await replaceRules("WHEN Spam  Score ABOVE 5.0 then IGNORE because 'spam'\nthen create request in project 1 and TAG as spam");
    await page.locator('.rules-problems').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Format' }).click();
    await waitFor(async () => (await editorText()) === RULES, { what: async () => `formatted rules, not ${JSON.stringify(await editorText())}`, timeoutMs: 5000 });
  });

  test('the reference lists the plugin phrases with their help and the plugin name', async () => {
    await page.getByRole('button', { name: 'Language reference' }).click();
    const reference = page.getByRole('dialog', { name: 'The rule language' });
    await reference.waitFor();
    const items = await reference.locator('li').allInnerTexts();
    assert.ok(items.includes('spam score above {number:score}: the X-Spam-Score header (written by SpamAssassin or rspamd) is above the number (plugin spam-score)'), items.join('\n'));
    assert.ok(items.includes("tag as spam: tags the item the rule created with 'spam' (plugin spam-score)"), items.join('\n'));
    assert.deepEqual(await seriousViolations(page), [], 'with the reference open');
    await reference.getByRole('button', { name: 'Close' }).click();
    await reference.waitFor({ state: 'hidden' });
  });

  test('the rule tester evaluates the plugin condition on the server, with its reasons', async () => {
    await replaceRules(RULES);
    const paste = async (score: string) => {
      await page.getByLabel('Or paste the message (headers, a blank line, the body)').fill(makeMessage({ subject: `Score ${score}`, headers: { 'X-Spam-Score': score } }).toString('utf8'));
      await page.getByRole('button', { name: 'Test the pasted message' }).click();
    };
    const result = page.locator('.dry-run');
    await paste('9.1');
    await result.getByText('Rule on line 1 matched:').waitFor();
    assert.deepEqual(await result.locator('.plan li').allInnerTexts(), ["ignore because 'spam'"]);
    await paste('1.0');
    await result.getByText('Rule on line 2 matched:').waitFor();
    assert.match(await result.locator('.not-matched').innerText(), /the spam score 1 is not above 5/);
    assert.deepEqual(await result.locator('.plan li').allInnerTexts(), ["create request in project 1 and add tag 'spam'"]);
  });
});
