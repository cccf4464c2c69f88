// `messages reprocess`: after the rules are fixed, the profile's skipped messages run through the new
// rules; nothing else is touched and nothing is stored again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, cliJsonLines, runCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';

let dir: string;
let env: Record<string, string>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-reprocess-'));
  env = { MAILBIND_DATA_DIR: join(dir, 'data') };
  await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('skipped messages go through the fixed rules; imported and ignored ones are left alone', async () => {
  writeFileSync(join(dir, 'narrow.txt'), "when subject contains 'invoice' then attach to project 1 and create request in project 1\n");
  writeFileSync(join(dir, 'wide.txt'), 'then attach to project 1 and create request in project 1\n');
  await cliJson(['profile', 'add', 'support', '--rules-file', join(dir, 'narrow.txt')], env);
  writeFileSync(join(dir, 'invoice.eml'), makeMessage({ subject: 'invoice 7' }));
  writeFileSync(join(dir, 'hello.eml'), makeMessage({ subject: 'hello' }));
  writeFileSync(join(dir, 'away.eml'), makeMessage({ subject: 'Out of office', headers: { 'Auto-Submitted': 'auto-replied' } }));
  const first = await cliJsonLines(['import', '--profile', 'support', join(dir, 'invoice.eml'), join(dir, 'hello.eml'), join(dir, 'away.eml')], env);
  assert.deepEqual(first.map((l) => l.outcome), ['imported', 'skipped', 'ignored']);

  await runCli(['profile', 'set-rules', 'support', join(dir, 'wide.txt')], env);
  const again = await runCli(['messages', 'reprocess', '--profile', 'support'], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^imported\s+#2: rule 1: attach to project 1, create request in project 1 → request 2$/m);
  assert.match(again.stdout, /^1 message: 1 imported$/m);
  const items = await cliJson(['messages', 'list'], env);
  assert.deepEqual(items.map((i: any) => [i.subject, i.outcome]), [['invoice 7', 'imported'], ['hello', 'imported'], ['Out of office', 'ignored']]);
  assert.equal((await cliJson(['tracker', 'list', 'requests'], env)).length, 2, 'one request each, none twice');
});
