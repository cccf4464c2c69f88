// The rules editor in Chromium, for the tests of it (test/web/rules-editor*.test.ts): a UI with two
// projects (General; Billing, code BILL) and a team, a profile opened at its page, and the editor's text
// read and replaced as a person would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { addProject, addTeam } from '../../src/app/tracker.js';
import { startUi, type UiServer } from './browser.js';
import { waitFor } from './wait.js';

export const V1 = 'then attach to project 1';
const RULES_LABEL = 'Rules (checked top to bottom, first match wins)';
const who = cliPrincipal('test');

export interface RulesUi {
  ui: UiServer;
  /** A temporary folder for message files, removed by close(). */
  files: string;
  /** A new profile with `rules`, its page open in a signed-in browser page, the editor shown. */
  openProfile(name: string, rules?: string): Promise<Page>;
  close(): Promise<void>;
}

export async function startRulesUi(): Promise<RulesUi> {
  const ui = await startUi('sqlite');
  const files = mkdtempSync(join(tmpdir(), 'mailbind-rules-ui-'));
  await addProject(ui.app, { name: 'General' }, who);
  await addProject(ui.app, { name: 'Billing', code: 'BILL' }, who);
  await addTeam(ui.app, { name: 'Support desk' }, who);
  return {
    ui,
    files,
    async openProfile(name, rules = V1) {
      const { profile } = await createProfile(ui.app, { name, rules: { text: rules, label: 'test', comment: 'first' } }, who);
      const page = await ui.signIn();
      await page.goto(`${ui.url}/settings/plugins/email-integration/${profile.id}`);
      await editor(page).waitFor();
      return page;
    },
    async close() {
      await ui.close();
      rmSync(files, { recursive: true, force: true });
    },
  };
}

export const editor = (page: Page) => page.getByRole('textbox', { name: RULES_LABEL, exact: true });
export const editorText = (page: Page) => page.locator('.rules-editor .cm-line').allInnerTexts().then((lines) => lines.join('\n'));
/** The editor shows `text` (it is updated after the next paint, so this waits a moment for it). */
export async function editorShows(page: Page, text: string) {
  await waitFor(async () => (await editorText(page)) === text, { what: async () => `the editor to show ${JSON.stringify(text)}, not ${JSON.stringify(await editorText(page))}`, timeoutMs: 5000 });
}
/** Clicks in the editor's line `line` (0-based) just before character `offset`: the cursor goes there. */
export async function clickInText(page: Page, line: number, offset: number) {
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
export async function replaceRules(page: Page, text: string) {
  await editor(page).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}
