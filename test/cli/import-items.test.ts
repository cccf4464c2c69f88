// `mailbind import` names what a message became: a request as "request N", a user story, bug or task as
// "item N" (they share one id space with requests, as Ticket#N does).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';

const dir = mkdtempSync(join(tmpdir(), 'mailbind-import-items-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a bug is reported as an item, a request as a request', async () => {
  const env = { MAILBIND_DATA_DIR: join(dir, 'data') };
  assert.equal((await runCli(['tracker', 'project', 'add', '--name', 'General'], env)).code, 0);
  const rules = join(dir, 'rules.txt');
  writeFileSync(rules, "when subject contains 'crash' then create bug in project 1\nthen create request in project 1\n");
  const added = await runCli(['profile', 'add', 'support', '--protocol', 'pipe', '--rules-file', rules], env);
  assert.equal(added.code, 0, added.stderr);
  const crash = join(dir, 'crash.eml');
  const question = join(dir, 'question.eml');
  writeFileSync(crash, makeMessage({ subject: 'App crash on start' }));
  writeFileSync(question, makeMessage({ subject: 'A question' }));
  const imported = await runCli(['import', '--profile', 'support', crash, question], env);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /^imported\s+\S*crash\.eml: rule 1: create bug in project 1 → item 1$/m);
  assert.match(imported.stdout, /^imported\s+\S*question\.eml: rule 2: create request in project 1 → request 2$/m);
});
