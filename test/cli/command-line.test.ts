// The command line as a whole: global options anywhere, a data dir created only by commands that
// write, errors that name the path and the cause, exit codes by category, --version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { CLI, cliJson, runCli } from '../support/cli.js';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('--data-dir works before the subcommand as well as after it', async () => {
  const data = join(dir, 'before');
  await cliJson(['--data-dir', data, 'tracker', 'team', 'add', '--name', 'Blue'], {});
  const teams = await cliJson(['--data-dir', data, 'tracker', 'list', 'teams'], {});
  assert.deepEqual(teams.map((t: any) => t.name), ['Blue']);
  assert.equal((await cliJson(['tracker', 'list', 'teams', '--data-dir', data], {})).length, 1);
});

test('a read-only command on a missing data dir says so and creates nothing', async () => {
  const typo = join(dir, 'typo');
  for (const args of [['messages', 'list'], ['profile', 'list'], ['tracker', 'list', 'projects'], ['profile', 'status']]) {
    const r = await runCli(['--data-dir', typo, ...args], {});
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, new RegExp(`no mailbind data in ${typo.replace(/[/.]/g, '\\$&')}`));
    assert.equal(existsSync(typo), false, `${args.join(' ')} created the data dir`);
  }
  // A command that writes creates it, readable by its owner only.
  await cliJson(['--data-dir', typo, 'tracker', 'project', 'add', '--name', 'General'], {});
  assert.equal((await cliJson(['--data-dir', typo, 'tracker', 'list', 'projects'], {})).length, 1);
});

test('a data dir that cannot be created is named, with the reason', async () => {
  const file = join(dir, 'plain-file');
  writeFileSync(file, 'not a directory');
  const r = await runCli(['--data-dir', join(file, 'data'), 'tracker', 'project', 'add', '--name', 'X'], {});
  assert.equal(r.code, 69);
  assert.match(r.stderr, /cannot create the data directory .*plain-file\/data: ENOTDIR/);
});

test('a data dir whose database is a directory is named, with the reason', async () => {
  const odd = join(dir, 'odd');
  mkdirSync(join(odd, 'mailbind.sqlite'), { recursive: true });
  const r = await runCli(['--data-dir', odd, 'profile', 'list'], {});
  assert.equal(r.code, 69);
  assert.match(r.stderr, /cannot open the database .*odd\/mailbind\.sqlite: .*mailbind\.sqlite is a directory/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
});

test('user errors, things not found and conflicts exit 1; each says what is wrong in one line', async () => {
  const env = { MAILBIND_DATA_DIR: join(dir, 'errors') };
  await cliJson(['profile', 'add', 'support'], env);
  const cases: Array<[string[], RegExp]> = [
    [['profile', 'add', 'support'], /a profile named 'support' already exists/],
    [['profile', 'show', 'nope'], /no profile named 'nope'/],
    [['messages', 'show', '42'], /no message 42/],
    [['messages', 'list', '--outcome', 'lost'], /unknown outcome 'lost'/],
    [['profile', 'add', 'bad/name'], /may only use letters/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args, env);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('--version prints the package version', async () => {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8'));
  const r = await runCli(['--version'], {});
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('every command lists --data-dir in its help', async () => {
  for (const args of [['import', '--help'], ['profile', 'add', '--help'], ['tracker', 'list', '--help']]) {
    const r = await runCli(args, {});
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--data-dir/, args.join(' '));
  }
});

test('MAILBIND_MESSAGE_ID_DOMAIN: our own mail come back is ignored as a loop', async () => {
  const env = { MAILBIND_DATA_DIR: join(dir, 'loop'), MAILBIND_MESSAGE_ID_DOMAIN: 'mailbind.example' };
  await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
  writeFileSync(join(dir, 'rules.txt'), 'then attach to project 1 and create request in project 1\n');
  await cliJson(['profile', 'add', 'support', '--rules-file', join(dir, 'rules.txt')], env);
  const ours = join(dir, 'ours.eml');
  writeFileSync(ours, 'From: support@mailbind.example\r\nTo: someone@example.com\r\nSubject: Re: hi\r\nMessage-ID: <abc.123@mailbind.example>\r\n\r\nour own words\r\n');
  const r = await cliJson(['rules', 'test', '--profile', 'support', ours], env);
  assert.deepEqual([r.outcome, r.trace.classification.kind], ['ignored', 'own-loop']);
  const other = await cliJson(['rules', 'test', '--profile', 'support', ours], { ...env, MAILBIND_MESSAGE_ID_DOMAIN: 'elsewhere.example' });
  assert.equal(other.outcome, 'imported');
});

test('a reader that stops early (| head) ends the command quietly, not with an EPIPE crash', async () => {
  const env = { MAILBIND_DATA_DIR: join(dir, 'pipe') };
  await cliJson(['tracker', 'team', 'add', '--name', 'Blue'], env);
  // `true` exits without reading, so the command's first write finds the pipe closed.
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" tracker list teams --json | true; echo "exit=\${PIPESTATUS[0]}" >&2`], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  const stderr = r.stderr.toString();
  assert.match(stderr, /exit=0/);
  assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
});
