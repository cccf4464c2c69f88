// The rule tester beside the rules editor, in Chromium: the matched rule, why the rules above did not
// match, and the plan, for a chosen file, a dropped one and a pasted message; and the preview of unsaved
// rules over stored messages, listing exactly the changed ones.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importPaths } from '../../src/app/import.js';
import { chromiumSkip, seriousViolations } from '../support/browser.js';
import { makeMessage } from '../support/messages.js';
import { replaceRules, startRulesUi, V1, type RulesUi } from '../support/rules-editor.js';

describe('the rule tester and the preview in Chromium', { skip: chromiumSkip() }, () => {
  let r: RulesUi;
  before(async () => {
    r = await startRulesUi();
  });
  after(() => r?.close());

  test('the rule tester shows the matched rule, why the rules above did not match, and the plan, for a chosen file, a dropped one and a pasted message', async () => {
    const page = await r.openProfile('testing');
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

  test('preview of the edited rules over stored messages lists exactly the messages whose outcome changes', async () => {
    const page = await r.openProfile('previewing');
    const subjects = Array.from({ length: 20 }, (_, i) => (i % 5 === 0 || i % 7 === 0 ? `Invoice ${i}` : `Question ${i}`));
    const paths = subjects.map((subject, i) => {
      const file = join(r.files, `preview-${i}.eml`);
      writeFileSync(file, makeMessage({ subject }));
      return file;
    });
    for await (const _ of importPaths(r.ui.app, 'previewing', paths)) void _;

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
