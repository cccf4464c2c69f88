// The rules editor in Chromium: errors marked at line:column as you type with no request to the
// server, completion of keywords and project ids and codes with their names, the name of an id or a code
// on hover, highlighting of regular expressions and captures, Format, the language reference, save and
// history with restore. The rule tester and the preview of unsaved rules are rules-tester.test.ts (one
// file took 76–88 s in CI on a 2-core machine, near the 120 s a test file may take).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromiumSkip, seriousViolations } from '../support/browser.js';
import { clickInText, editor, editorShows, editorText, replaceRules, startRulesUi, V1, type RulesUi } from '../support/rules-editor.js';
import { waitFor } from '../support/wait.js';

describe('the rules editor in Chromium', { skip: chromiumSkip() }, () => {
  let r: RulesUi;
  before(async () => {
    r = await startRulesUi();
  });
  after(() => r?.close());

  test('an invalid rule is marked at its line and column as one types, without asking the server; fix, save, history, restore', async () => {
    const page = await r.openProfile('editing');
    const requestsBefore = r.ui.requests.length;
    // The text arrives as one paste; the cursor is then put after "when subject cont" by a click
    // (a pressed Enter or arrow could land in the completion list, which opens as one types).
    await replaceRules(page, "# invoices go to Billing\nwhen subject contains 'invoice' then attach to project 2\n");
    await page.locator('.rules-problems').waitFor({ state: 'detached' });
    await clickInText(page, 1, 'when subject cont'.length);
    // Timed in the page: from the keydown to the marker's element in the DOM (a second at most).
    await page.evaluate(() => {
      const w = globalThis as any;
      w.markerAt = new Promise((resolve) => {
        const give = () => {
          if (!w.document.querySelector('.cm-lintRange-error')) return false;
          seen.disconnect();
          resolve(w.performance.now());
          return true;
        };
        const seen = new w.MutationObserver(give);
        seen.observe(w.document.body, { subtree: true, childList: true, attributes: true });
        w.setTimeout(() => give() || resolve(Infinity), 1000);
      });
      w.document.addEventListener('keydown', () => (w.keyAt = w.performance.now()), { capture: true, once: true });
    });
    await page.keyboard.press('i');
    const [keyAt, markerAt] = await page.evaluate(async () => [(globalThis as any).keyAt, await (globalThis as any).markerAt] as [number, number]);
    // The marker comes from the parser in the page (a 25 ms lint delay, then parsing): typically well under
    // 200 ms. Timed goals do not belong in tests (a loaded machine made this 201 ms once); the deadline
    // here only catches a marker that waits for the server or for a long debounce.
    assert.ok(markerAt - keyAt < 1000, `the marker took ${Math.round(markerAt - keyAt)} ms`);
    const marker = page.locator('.cm-lintRange-error');
    assert.equal(await marker.innerText(), 'contiains');
    assert.equal(await page.locator('.rules-editor .cm-line').nth(1).locator('.cm-lintRange-error').count(), 1, 'the marker is on line 2');
    const problem = page.locator('.rules-problems li.error');
    assert.equal(await problem.innerText(), "Line 2, column 14: expected 'contains' or 'matches' after 'subject' but found 'contiains' (did you mean 'subject contains'?)");
    assert.deepEqual(r.ui.requests.slice(requestsBefore), [], 'typing asked the server nothing');
    assert.equal(await page.getByRole('button', { name: 'Format' }).isDisabled(), true);

    await page.keyboard.press('Backspace');
    await page.locator('.rules-problems').waitFor({ state: 'detached' });
    await page.getByLabel('Comment for this version of the rules').fill('invoices to Billing');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    const history = page.locator('.rules-history tbody tr');
    await history.nth(1).waitFor();
    assert.equal(await history.count(), 2);
    assert.match(await history.nth(0).innerText(), /invoices to Billing/);
    await page.getByRole('button', { name: 'Show diff' }).click();
    assert.match(await page.locator('pre.diff .add').first().innerText(), /^\+# invoices go to Billing/);

    await page.getByRole('button', { name: 'Restore version 1' }).click();
    await history.nth(2).waitFor();
    assert.equal(await history.count(), 3);
    assert.match(await history.nth(0).innerText(), /restored version 1/);
    await editorShows(page, V1);
  });

  test('completion offers keywords and project ids with their names; hover names the project; unknown ids are warned; the reference is one click away', async () => {
    const page = await r.openProfile('completing');
    await editor(page).click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('then att');
    // Clicked, not Enter: CodeMirror ignores Enter for 75 ms after the list opens (interactionDelay),
    // and a test under load can press it within that window; a click on an option is taken at once.
    const attach = page.getByRole('option', { name: /^attach to project/ });
    await attach.click();
    await waitFor(async () => (await editorText(page)).includes('then attach to project'), { what: async () => `the completion to be applied, not ${JSON.stringify(await editorText(page))}`, timeoutMs: 5000 });
    await page.keyboard.press('Control+Space');
    const billing = page.getByRole('option', { name: /^2\s*Billing/ });
    await billing.waitFor();
    assert.equal(await page.getByRole('option', { name: /^1\s*General/ }).count(), 1);
    await billing.click();
    await editorShows(page, `${V1}\nthen attach to project 2 `);
    await page.keyboard.press('Escape');

    await page.locator('.cm-rule-id').last().hover();
    assert.equal(await page.locator('.cm-rule-hover').innerText(), 'project 2: Billing');

    await page.keyboard.type('and create request in project 99');
    await page.keyboard.press('Escape');
    const warning = page.locator('.rules-problems li.warning');
    await warning.waitFor();
    assert.match(await warning.innerText(), /^Line 2, column \d+: warning: project 99 does not exist$/);

    await page.getByRole('button', { name: 'Language reference' }).click();
    const reference = page.getByRole('dialog', { name: 'The rule language' });
    await reference.waitFor();
    assert.match(await reference.locator('.rules-example').innerText(), /when subject contains 'Targetprocess, tp' and company matched to project 2 then attach to project 2 and create request in project 2/);
    assert.deepEqual(await seriousViolations(page), [], 'with the reference open');
    await reference.getByRole('button', { name: 'Close' }).click();
    await reference.waitFor({ state: 'hidden' });
    assert.deepEqual(await seriousViolations(page), [], 'the editor page');

    await replaceRules(page, "When  Subject Contains 'a'  Then ATTACH to project 1");
    await page.getByRole('button', { name: 'Format' }).click();
    await editorShows(page, "when subject contains 'a' then attach to project 1");
  });

  test('highlighting marks a regular expression, its named group and the {captures} that use it; keyword lists keep their braces', async () => {
    const page = await r.openProfile('highlighting', [
      "when subject matches /\\[(?<code>[A-Z]+)\\]/i then create task in project {code} and add tag '{code}'",
      "when subject contains '{literal}' then ignore",
    ].join('\n'));
    await page.locator('.cm-rule-capture').first().waitFor();
    const first = page.locator('.rules-editor .cm-line').nth(0);
    // The regex is cut around its group's name, which shares the colour of the captures using it.
    assert.deepEqual(await first.locator('.cm-rule-regex').allInnerTexts(), ['/\\[(?<', '>[A-Z]+)\\]/i']);
    assert.deepEqual(await first.locator('.cm-rule-capture').allInnerTexts(), ['code', '{code}', '{code}']);
    assert.deepEqual(await first.locator('.cm-rule-string').allInnerTexts(), ["'", "'"]);
    assert.deepEqual(await first.locator('.cm-rule-keyword').allInnerTexts(), ['when', 'subject', 'matches', 'then', 'create', 'task', 'in', 'project', 'and', 'add', 'tag']);
    const second = page.locator('.rules-editor .cm-line').nth(1);
    assert.deepEqual(await second.locator('.cm-rule-string').allInnerTexts(), ["'{literal}'"]);
    assert.equal(await second.locator('.cm-rule-capture').count(), 0, 'a condition\'s keywords have no captures');
    assert.equal(await page.locator('.rules-problems').count(), 0, 'the rules are valid');
    assert.deepEqual(await seriousViolations(page), [], 'the colours have enough contrast');
  });

  test('completion offers whole phrases (create bug in project), then project ids and codes, then the optional with title; hover names a code; an unknown code is warned', async () => {
    const page = await r.openProfile('phrases');
    await editor(page).click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('then cre');
    await page.getByRole('option', { name: /^create user story in project/ }).waitFor();
    await page.getByRole('option', { name: /^create bug in project/ }).click();
    await waitFor(async () => (await editorText(page)).endsWith('then create bug in project '), { what: async () => `the phrase to be applied, not ${JSON.stringify(await editorText(page))}`, timeoutMs: 5000 });
    await page.keyboard.press('Control+Space');
    const code = page.getByRole('option', { name: /^BILL\s*Billing/ });
    await code.waitFor();
    assert.equal(await page.getByRole('option', { name: /^2\s*Billing/ }).count(), 1, 'the id is offered too');
    await code.click();
    await editorShows(page, `${V1}\nthen create bug in project BILL `);
    await page.keyboard.type('wi');
    await page.getByRole('option', { name: /^with title/ }).click();
    await editorShows(page, `${V1}\nthen create bug in project BILL with title `);
    await page.keyboard.press('Escape');

    await page.locator('.cm-line').nth(1).getByText('BILL', { exact: true }).hover();
    assert.equal(await page.locator('.cm-rule-hover').innerText(), 'project BILL (id 2): Billing');

    await page.keyboard.type("'Printer' and create request in project NOPE");
    await page.keyboard.press('Escape');
    const warning = page.locator('.rules-problems li.warning');
    await warning.waitFor();
    assert.match(await warning.innerText(), /^Line 2, column \d+: warning: no project has the code NOPE$/);
    // The range drawn in the editor comes from the linter's own pass, which can still be the one run on a
    // shorter word while typing (CodeMirror maps a range through later edits: 'NO' stays 'NO'); its next
    // pass covers the whole code. Seen once on Node 22 in a full run.
    const range = page.locator('.cm-lintRange-warning');
    await waitFor(async () => (await range.innerText()) === 'NOPE', { what: async () => `the warning's range to cover NOPE, not ${JSON.stringify(await range.innerText())}`, timeoutMs: 5000 });
  });

  test('a misspelt new phrase is an error with a suggestion; Format prints not, or and parentheses canonically', async () => {
    const page = await r.openProfile('misspelt');
    const line = "when from contains 'vip.example' then create bug in project 1 and set severty 'Critical'";
    await replaceRules(page, line);
    const problem = page.locator('.rules-problems li.error');
    await problem.waitFor();
    assert.equal(
      await problem.innerText(),
      `Line 1, column ${line.indexOf('severty') + 1}: expected 'priority', 'severity', 'state' or 'field' after 'set' but found 'severty' (did you mean 'set severity'?)`,
    );
    assert.equal(await page.locator('.cm-lintRange-error').innerText(), 'severty');

    await replaceRules(page, [
      '# strangers',
      "When NOT ( From Contains 'noreply'  OR sender is UNKNOWN ) then IGNORE Because 'not for us'",
      "when (subject contains 'a' or subject contains 'b') from contains 'c' or not (has attachment and size above 5mb) Then Create Bug In Project 1 Set Severity 'High'",
    ].join('\n'));
    await page.locator('.rules-problems').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Format' }).click();
    await editorShows(page, [
      '# strangers',
      "when not (from contains 'noreply' or sender is unknown) then ignore because 'not for us'",
      "when (subject contains 'a' or subject contains 'b') and from contains 'c' or not (has attachment and size above 5 MB) then create bug in project 1 and set severity 'High'",
    ].join('\n'));
  });
});
