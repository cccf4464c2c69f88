// `mailbind config export|apply` as a user runs them: a round trip into a fresh data dir, a dry run,
// an invalid file refused with its YAML paths and exit code 1, and no password in what is printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, runCli } from '../support/cli.js';

let dir: string;
const SECRET = 'pa55-w0rd-from-env';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-config-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('export, apply to a fresh data dir, export again: the same file; a second apply changes nothing', async () => {
  const first = { MAILBIND_DATA_DIR: join(dir, 'first'), PW: SECRET };
  await cliJson(['tracker', 'company', 'add', '--name', 'Acme', '--domain', 'acme.example'], first);
  await cliJson(['tracker', 'project', 'add', '--name', 'General', '--company', 'Acme'], first);
  await cliJson(['tracker', 'user', 'add', '--email', 'staff@mailbind.test', '--name', 'Staff'], first);
  writeFileSync(join(dir, 'rules.txt'), 'then attach to project 1\n');
  await cliJson(['profile', 'add', 'support', '--protocol', 'imap', '--host', 'imap.example.com', '--login', 'support@acme.example',
    '--password-env', 'PW', '--rules-file', join(dir, 'rules.txt')], first);
  const file = join(dir, 'mailbind.yaml');
  const exported = await runCli(['config', 'export', '--file', file], first);
  assert.equal(exported.code, 0, exported.stderr);
  const text = readFileSync(file, 'utf8');
  assert.doesNotMatch(text + exported.stdout + exported.stderr, new RegExp(SECRET));
  assert.match(text, /passwordEnv: MAILBIND_PASSWORD_SUPPORT\n/);

  const second = { MAILBIND_DATA_DIR: join(dir, 'second'), MAILBIND_PASSWORD_SUPPORT: SECRET };
  const dry = await runCli(['config', 'apply', file, '--dry-run'], { ...second, MAILBIND_DATA_DIR: join(dir, 'first') });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^unchanged profile support$/m);

  const applied = await runCli(['config', 'apply', file], second);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /^create {4}company Acme\n/);
  assert.match(applied.stdout, /^4 created$/m);
  const again = await runCli(['config', 'export'], second);
  assert.equal(again.stdout, text);
  const twice = await cliJson(['config', 'apply', file], second);
  assert.deepEqual([...new Set(twice.changes.map((c: { change: string }) => c.change))], ['unchanged']);
  const profile = await cliJson(['profile', 'show', 'support'], second);
  assert.equal(profile.source.hasPassword, true);
});

test('a dry run prints the plan and changes nothing; an invalid file is refused with its YAML paths', async () => {
  const env = { MAILBIND_DATA_DIR: join(dir, 'third') };
  await cliJson(['tracker', 'team', 'add', '--name', 'Support'], env);
  const file = join(dir, 'plan.yaml');
  writeFileSync(file, 'teams: [{ name: Support }, { name: Second line }]\n');
  const dry = await runCli(['config', 'apply', file, '--dry-run'], env);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(dry.stdout, 'unchanged team Support\ncreate    team Second line\ndry run: 1 to create, 1 unchanged; nothing was changed\n');
  assert.equal((await cliJson(['tracker', 'list', 'teams'], env)).length, 1);

  writeFileSync(file, 'teams: [{ name: Second line }]\nprofiles:\n  - name: p\n    source: { protocol: imap, host: "" }\n');
  const bad = await runCli(['config', 'apply', file], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^mailbind: the configuration has \d+ errors; nothing was changed$/m);
  assert.match(bad.stderr, /^profiles\[0\]\.source\.host: /m);
  assert.match(bad.stderr, /^profiles\[0\]\.source\.passwordEnv: a imap mailbox needs passwordEnv/m);
  assert.equal((await cliJson(['tracker', 'list', 'teams'], env)).length, 1, 'the valid team was not added either');
});
