// Rules through the CLI: check reports every error as FILE:LINE:COL, a bad file never replaces a
// profile's rules, and `rules test` explains a dry run without changing anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, runCli } from '../support/cli.js';
import { makeMessage, SEED_RULES } from '../support/messages.js';

let dir: string;
let env: Record<string, string>;
const BAD = [
  '# two mistakes',
  "when subject contains 'x' then atach to project 1",
  '',
  'then attach to project 1 garbage',
  '',
].join('\n');

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-cli-rules-'));
  env = { MAILBIND_DATA_DIR: join(dir, 'data') };
  writeFileSync(join(dir, 'good.txt'), SEED_RULES);
  writeFileSync(join(dir, 'bad.txt'), BAD);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('rules check: exit 0 on valid rules', async () => {
  const r = await runCli(['rules', 'check', join(dir, 'good.txt')], env);
  assert.equal(r.code, 0, r.stderr);
});

test('rules check: every error as FILE:LINE:COL with a suggestion, exit 1', async () => {
  const file = join(dir, 'bad.txt');
  const r = await runCli(['rules', 'check', file], env);
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith(file));
  assert.equal(lines.length, 2, r.stderr);
  assert.match(lines[0]!, new RegExp(`^${file}:2:32: .*atach.*did you mean 'attach to project'\\?`));
  assert.match(lines[1]!, new RegExp(`^${file}:4:26: .*garbage`));
});

test('rules check: a byte that is not UTF-8 is an error at FILE:LINE:COL, exit 1', async () => {
  const file = join(dir, 'latin1.txt');
  // Line 3 holds 'é' saved as Latin-1 (0xE9) after a UTF-8 'Ä' on line 1; "when subject contains 'caf" is 26 bytes.
  const before = Buffer.from("# Ä\nthen attach to project 1\nwhen subject contains 'caf", 'utf8');
  writeFileSync(file, Buffer.concat([before, Buffer.from([0xe9]), Buffer.from("' then attach to project 1\n")]));
  const r = await runCli(['rules', 'check', file], env);
  assert.equal(r.code, 1);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith(file));
  assert.deepEqual(lines, [`${file}:3:27: the file is not valid UTF-8 (byte 0xE9 at offset ${before.length}); save it as UTF-8`], r.stderr);
  assert.equal(r.stdout, '');
});

test('profile set-rules refuses a bad file with every error and keeps the old rules', async () => {
  await cliJson(['profile', 'add', '--name', 'support', '--rules-file', join(dir, 'good.txt')], env);
  const r = await runCli(['profile', 'set-rules', 'support', join(dir, 'bad.txt')], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad\.txt:2:32:/);
  assert.match(r.stderr, /bad\.txt:4:26:/);
  const profile = await cliJson(['profile', 'show', 'support'], env);
  assert.equal(profile.rules, SEED_RULES);
  const add = await runCli(['profile', 'add', '--name', 'other', '--rules-file', join(dir, 'bad.txt')], env);
  assert.equal(add.code, 1);
  assert.deepEqual((await cliJson(['profile', 'list'], env)).map((p: any) => p.name), ['support']);
});

test('rules test: a dry run names the rule, why earlier ones failed, and the plan; nothing is stored', async () => {
  await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
  writeFileSync(join(dir, 'm.eml'), makeMessage({ from: 'x@y.example', subject: 'Hello' }));
  const r = await runCli(['rules', 'test', '--profile', 'support', join(dir, 'm.eml')], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rule 1: no/);
  assert.match(r.stdout, /rule 3: MATCHED/);
  assert.match(r.stdout, /plan: attach to project 1, then create request in project 1/);
  const json = await cliJson(['rules', 'test', '--profile', 'support', join(dir, 'm.eml')], env);
  assert.equal(json.rule, 3);
  writeFileSync(join(dir, 'only2.txt'), 'then attach to project 2\n');
  const other = await cliJson(['rules', 'test', '--profile', 'support', '--rules-file', join(dir, 'only2.txt'), join(dir, 'm.eml')], env);
  assert.equal(other.outcome, 'skipped', 'project 2 does not exist, so its only rule is skipped');
  assert.deepEqual(await cliJson(['messages', 'list'], env), []);
  assert.deepEqual(await cliJson(['tracker', 'list', 'requests'], env), []);
});
