// The rules editor in Chromium: errors marked at line:column as you type with no request to the
// server, completion of keywords and project ids and codes with their names, the name of an id or a code
// on hover, highlighting of regular expressions and captures, Format, the language reference, save and
// history with restore; the rule tester for a chosen file and a pasted message; and the preview of
// unsaved rules over stored messages, listing exactly the changed ones.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { importPaths } from '../../src/app/import.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { addProject, addTeam } from '../../src/app/tracker.js';
import { chromiumSkip, seriousViolations, startUi, type UiServer } from '../support/browser.js';
import { makeMessage } from '../support/messages.js';
import { waitFor } from '../support/wait.js';

const V1 = 'then attach to project 1';
const RULES_LABEL = 'Rules (checked top to bottom, first match wins)';
const who = cliPrincipal('test');

describe('the rules editor in Chromium', { skip: chromiumSkip() }, () => {
  let ui: UiServer;
  let files: string;
  before(async () => {
    ui = await startUi('sqlite');
    files = mkdtempSync(join(tmpdir(), 'mailbind-rules-ui-'));
    await addProject(ui.app, { name: 'General' }, who);
    await addProject(ui.app, { name: 'Billing', code: 'BILL' }, who);
    await addTeam(ui.app, { name: 'Support desk' }, who);
  });
  after(async () => {
    await ui?.close();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  async function openProfile(name: string, rules = V1): Promise<Page> {
    const { profile } = await createProfile(ui.app, { name, rules: { text: rules, label: 'test', comment: 'first' } }, who);
    const page = await ui.signIn();
    await page.goto(`${ui.url}/settings/plugins/email-integration/${profile.id}`);
    await editor(page).waitFor();
    return page;
  }
  const editor = (page: Page) => page.getByRole('textbox', { name: RULES_LABEL, exact: true });
  const editorText = (page: Page) => page.locator('.rules-editor .cm-line').allInnerTexts().then((lines) => lines.join('\n'));
  /** The editor shows `text` (it is updated after the next paint, so this waits a moment for it). */
  async function editorShows(page: Page, text: string) {
    await waitFor(async () => (await editorText(page)) === text, { what: async () => `the editor to show ${JSON.stringify(text)}, not ${JSON.stringify(await editorText(page))}`, timeoutMs: 5000 });
  }
  /** Clicks in the editor's line `line` (0-based) just before character `offset`: the cursor goes there. */
  async function clickInText(page: Page, line: number, offset: number) {
    const point = await page.evaluate(([index, at]) => {
      const w = globalThis as any;
      const element = w.document.querySelectorAll('.rules-editor .cm-line')[index];
      const walker = w.document.createTreeWalker(element, 4 /* text nodes */);
      let left = at;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.textContent.length >= left) {
          const range = w.document.createRange();
          range.setStart(node, left);
          range.setEnd(node, left);
          const rect = range.getBoundingClientRect();
          return { x: rect.left, y: rect.top + rect.height / 2 };
        }
        left -= node.textContent.length;
      }
      throw new Error(`line ${index} is shorter than ${at}`);
    }, [line, offset] as const);
    await page.mouse.click(point.x, point.y);
  }
  /** Replaces the editor's text in one input, as a paste does. */
  async function replaceRules(page: Page, text: string) {
    await editor(page).click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(text);
  }

  test('an invalid rule is marked at its line and column as one types, without asking the server; fix, save, history, restore', async () => {
    const page = await openProfile('editing');
    const requestsBefore = ui.requests.length;
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
    assert.deepEqual(ui.requests.slice(requestsBefore), [], 'typing asked the server nothing');
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
    const page = await openProfile('completing');
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

  test('the rule tester shows the matched rule, why the rules above did not match, and the plan, for a chosen file, a dropped one and a pasted message', async () => {
    const page = await openProfile('testing');
    await replaceRules(page, "when subject contains 'refund' then attach to project 1\nwhen subject contains 'invoice' then attach to project 2\nthen attach to project 1");
    await page.getByLabel('Message file (.eml): choose one, or drop it here').setInputFiles({ name: 'invoice.eml', mimeType: 'message/rfc822', buffer: makeMessage({ subject: 'Invoice 77' }) });
    const result = page.locator('.dry-run');
    await result.getByText('Rule on line 2 matched:').waitFor();
    assert.match(await result.locator('.not-matched').innerText(), /Line 1: .*refund[\s\S]*✗ failed/);
    assert.deepEqual(await result.locator('.plan li').allInnerTexts(), ['attach to project 2']);

    // A file dropped on the drop zone, as from a desktop: a real DataTransfer with the file in it.
    const dropped = makeMessage({ subject: 'Refund please' }).toString('utf8');
    const transfer = await page.evaluateHandle((text) => {
      // Runs in the page: the browser's DataTransfer and File.
      const browser = globalThis as unknown as { DataTransfer: new () => { items: { add(file: unknown): void } }; File: new (parts: string[], name: string, options: object) => unknown };
      const data = new browser.DataTransfer();
      data.items.add(new browser.File([text], 'dropped.eml', { type: 'message/rfc822' }));
      return data;
    }, dropped);
    await page.locator('.dropzone').dispatchEvent('dragover', { dataTransfer: transfer });
    await page.locator('.dropzone').dispatchEvent('drop', { dataTransfer: transfer });
    await result.getByText('Rule on line 1 matched:').waitFor();

    await page.getByLabel('Or paste the message (headers, a blank line, the body)').fill(makeMessage({ subject: 'Hello there' }).toString('utf8'));
    await page.getByRole('button', { name: 'Test the pasted message' }).click();
    await result.getByText('Rule on line 3 matched:').waitFor();
    assert.equal(await result.locator('.not-matched > li').count(), 2);
    assert.deepEqual(await seriousViolations(page), []);

    // A compound condition and a capture: the matched rule's conditions one line each, the plan in the
    // rule language's words with the project resolved and the capture filled in.
    await replaceRules(page, [
      "when not (subject contains 'invoice' or has attachment) then ignore",
      "when not (subject contains 'refund' or has attachment) and subject matches /(?<n>[0-9]+)/ then create bug in project BILL with title 'Invoice {n}' and set severity 'High'",
    ].join('\n'));
    await page.getByLabel('Message file (.eml): choose one, or drop it here').setInputFiles({ name: 'invoice.eml', mimeType: 'message/rfc822', buffer: makeMessage({ subject: 'Invoice 77' }) });
    await result.getByText('Rule on line 2 matched:').waitFor();
    assert.deepEqual(await result.locator('.not-matched > li > .conditions > li').allInnerTexts(), [
      "✗ failed: not (subject contains 'invoice' or has attachment) — subject contains 'invoice' matched, has attachment not tried → true, negated → false",
    ]);
    assert.deepEqual(await result.locator('p.matched + .conditions > li').allInnerTexts(), [
      "✓ held: not (subject contains 'refund' or has attachment) — subject contains 'refund' did not match, has attachment did not match → false, negated → true",
      '✓ held: subject matches /(?<n>[0-9]+)/ — subject matches /(?<n>[0-9]+)/ (n=77)',
    ]);
    assert.deepEqual(await result.locator('.plan li').allInnerTexts(), ["create bug in project 2 with title 'Invoice 77' and set severity 'High'"]);

    // An ignore rule: the plan says so, and so does the outcome with its reason.
    await page.getByLabel('Message file (.eml): choose one, or drop it here').setInputFiles({ name: 'hello.eml', mimeType: 'message/rfc822', buffer: makeMessage({ subject: 'Hello' }) });
    await result.getByText('Rule on line 1 matched:').waitFor();
    assert.deepEqual(await result.locator('.plan li').allInnerTexts(), ['ignore']);
    assert.equal(await result.locator('p.outcome').innerText(), 'The message would be ignored (ignored by the rule on line 1).');
  });

  test('highlighting marks a regular expression, its named group and the {captures} that use it; keyword lists keep their braces', async () => {
    const page = await openProfile('highlighting', [
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
    const page = await openProfile('phrases');
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
    const page = await openProfile('misspelt');
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

  test('preview of the edited rules over stored messages lists exactly the messages whose outcome changes', async () => {
    const page = await openProfile('previewing');
    const subjects = Array.from({ length: 20 }, (_, i) => (i % 5 === 0 || i % 7 === 0 ? `Invoice ${i}` : `Question ${i}`));
    const paths = subjects.map((subject, i) => {
      const file = join(files, `preview-${i}.eml`);
      writeFileSync(file, makeMessage({ subject }));
      return file;
    });
    for await (const _ of importPaths(ui.app, 'previewing', paths)) void _;

    await replaceRules(page, `when subject contains 'invoice' then attach to project 2\n${V1}`);
    await page.getByLabel('Messages to look at (newest first, up to 1,000)').fill('100');
    await page.getByRole('button', { name: 'Preview changes' }).click();
    await page.getByText('20 of 100 examined — done').waitFor();
    const rows = await page.locator('.preview-changes tbody tr strong').allInnerTexts();
    assert.deepEqual(rows.sort(), subjects.filter((s) => s.startsWith('Invoice')).sort());
    assert.match(await page.locator('.preview-changes tbody tr').first().innerText(), /attach to project 1[\s\S]*attach to project 2/);
    assert.deepEqual(await seriousViolations(page), []);
  });
});
