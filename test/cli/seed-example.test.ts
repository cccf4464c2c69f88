// The seed example of the README, driven entirely through the CLI as an admin would: tracker setup,
// a profile with the three rules, and three messages imported from files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, cliJsonLines, runCli } from '../support/cli.js';
import { makeMessage, SEED_RULES } from '../support/messages.js';

let dir: string;
let env: Record<string, string>;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-cli-'));
  env = { MAILBIND_DATA_DIR: join(dir, 'data') };
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('seed example through the CLI: (a) keyword + company, (b) company only, (c) anyone else', async () => {
  const company = await cliJson(['tracker', 'company', 'add', '--name', 'TargetProcess'], env);
  assert.equal(typeof company.id, 'number');
  const p1 = await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
  const p2 = await cliJson(['tracker', 'project', 'add', '--name', 'TP', '--company', 'TargetProcess'], env);
  assert.deepEqual([p1.id, p2.id], [1, 2]);
  const plain = await runCli(['tracker', 'requester', 'add', '--email', 'pat@tp.example', '--name', 'Pat', '--company', 'TargetProcess'], env);
  assert.equal(plain.code, 0);
  assert.match(plain.stdout, /^\d+\n$/, 'without --json the new id is printed');

  writeFileSync(join(dir, 'rules.txt'), SEED_RULES);
  await cliJson(['profile', 'add', '--name', 'support', '--rules-file', join(dir, 'rules.txt')], env);

  writeFileSync(join(dir, 'a.eml'), makeMessage({ from: 'Pat <pat@tp.example>', subject: 'Targetprocess is slow' }));
  writeFileSync(join(dir, 'b.eml'), makeMessage({ from: 'Pat <pat@tp.example>', subject: 'Lunch on Friday?' }));
  writeFileSync(join(dir, 'c.eml'), makeMessage({ from: 'Sam <sam@random.example>', subject: 'tp question' }));

  const [a] = await cliJsonLines(['import', '--profile', 'support', join(dir, 'a.eml')], env);
  assert.equal(a.outcome, 'imported');
  assert.equal(a.rule, 1);
  assert.deepEqual(a.actions, ['attach to project 2', 'create request in project 2']);
  assert.equal(a.created.length, 1);

  const [b] = await cliJsonLines(['import', '--profile', 'support', join(dir, 'b.eml')], env);
  assert.equal(b.rule, 2);
  assert.deepEqual(b.actions, ['attach to project 2']);
  assert.deepEqual(b.created, []);

  const [c] = await cliJsonLines(['import', '--profile', 'support', join(dir, 'c.eml')], env);
  assert.equal(c.rule, 3);
  assert.deepEqual(c.actions, ['attach to project 1', 'create request in project 1']);

  const requests2 = await cliJson(['tracker', 'list', 'requests', '--project', '2'], env);
  assert.deepEqual(requests2.map((r: any) => r.id), a.created);
  assert.equal(requests2[0].isPrivate, true);
  assert.equal(requests2[0].name, 'Targetprocess is slow');
  assert.equal(requests2[0].requesterIds.length, 1);
  assert.equal(requests2[0].messageIds.length, 1);
  const requests1 = await cliJson(['tracker', 'list', 'requests', '--project', '1'], env);
  assert.deepEqual(requests1.map((r: any) => r.id), c.created);
  const messages2 = await cliJson(['tracker', 'list', 'messages', '--project', '2'], env);
  assert.deepEqual(messages2.map((m: any) => m.subject), ['Targetprocess is slow', 'Lunch on Friday?']);

  const shown = await cliJson(['messages', 'show', String(b.itemId)], env);
  assert.equal(shown.trace.rules[0].matched, false);
  assert.match(shown.trace.rules[0].reason + JSON.stringify(shown.trace.rules[0].conditions), /Lunch on Friday/);
  const human = await runCli(['messages', 'show', String(b.itemId)], env);
  assert.match(human.stdout, /rule 1: no/);
  assert.match(human.stdout, /rule 2: MATCHED/);
});

test('user errors exit 1 with one clear line on stderr', async () => {
  const missing = await runCli(['import', '--profile', 'nope', join(dir, 'a.eml')], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no profile named 'nope'/);
  assert.doesNotMatch(missing.stderr, /at .*\.js:\d+/, 'no stack trace');
  const badList = await runCli(['tracker', 'list', 'widgets', '--json'], env);
  assert.equal(badList.code, 1);
  assert.match(badList.stderr, /cannot list 'widgets'/);
  const help = await runCli(['import', '--help'], env);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--data-dir/);
});

test('--data-dir wins over MAILBIND_DATA_DIR', async () => {
  const other = join(dir, 'other');
  await cliJson(['tracker', 'team', 'add', '--name', 'Blue', '--data-dir', other], env);
  assert.equal((await cliJson(['tracker', 'list', 'teams', '--data-dir', other], env)).length, 1);
  assert.equal((await cliJson(['tracker', 'list', 'teams'], env)).length, 0);
});
