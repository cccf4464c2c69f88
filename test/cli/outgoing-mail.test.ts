// The command line for outgoing mail: SMTP flags on profile add/update (the password from the
// environment, never printed), --acknowledge, `profile check-smtp` against smtp-server on loopback, and
// `profile template list|set|show|remove` with a placeholder error naming its line and column.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, runCli } from '../support/cli.js';
import { SmtpSink } from '../support/smtp-sink.js';

const PASSWORD = 'cli-smtp-Secret-99';
let dir: string;
let env: Record<string, string>;
let sink: SmtpSink;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-outgoing-'));
  env = { MAILBIND_DATA_DIR: join(dir, 'data'), SMTP_PW: PASSWORD, WRONG_PW: 'not-the-one' };
  sink = await SmtpSink.start({ password: PASSWORD });
});
after(async () => {
  await sink.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('SMTP flags and --acknowledge: saved, shown without the password, checked step by step', async () => {
  const add = await runCli(['profile', 'add', 'mailer', '--smtp-host', 'localhost', '--smtp-port', String(sink.port), '--smtp-user', 'mailer',
    '--smtp-password-env', 'SMTP_PW', '--smtp-from', 'help@example.com', '--smtp-from-name', 'Help Desk', '--smtp-allow-invalid-cert', '--acknowledge', 'on'], env);
  assert.equal(add.code, 0, add.stderr);
  const shown = await runCli(['profile', 'show', 'mailer'], env);
  assert.match(shown.stdout, new RegExp(`^smtp:\\s+localhost:${sink.port} \\(TLS: starttls, any certificate accepted\\)$`, 'm'));
  assert.match(shown.stdout, /^smtp login:\s+mailer \(password set\)$/m);
  assert.match(shown.stdout, /^sends from:\s+Help Desk <help@example\.com>$/m);
  assert.match(shown.stdout, /acknowledge on$/m);
  assert.ok(!shown.stdout.includes(PASSWORD) && !(await runCli(['profile', 'show', 'mailer', '--json'], env)).stdout.includes(PASSWORD));

  const check = await runCli(['profile', 'check-smtp', 'mailer'], env);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /^ok\s+auth\s+\d+ ms\s+logged in as mailer$/m);
  const wrong = await runCli(['profile', 'check-smtp', 'mailer', '--smtp-password-env', 'WRONG_PW'], env);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stdout, /^FAIL auth .*wrong user or password.*\(check the smtp\.password setting\)$/m);

  // With nobody else processing, deliver processes the message itself: the acknowledgement is queued.
  writeFileSync(join(dir, 'rules.txt'), 'then create request in project 1\n');
  assert.equal((await runCli(['tracker', 'project', 'add', '--name', 'General'], env)).code, 0);
  assert.equal((await runCli(['profile', 'update', 'mailer', '--rules-file', join(dir, 'rules.txt')], env)).code, 0);
  const delivered = await runCli(['deliver', '--profile', 'mailer'], env, 'From: Ann <ann@acme.example>\r\nTo: help@example.com\r\nSubject: Printer\r\nMessage-ID: <p1@acme.example>\r\n\r\nIt is on fire.\r\n');
  assert.equal(delivered.code, 0, delivered.stderr);
  const outbox = await runCli(['outbox', 'list', '--profile', 'mailer'], env);
  assert.match(outbox.stdout, /^\d+\tpending\tacknowledgement\titem 1\tann@acme\.example\tRe: Printer \[#1\]$/m);
  const one = await cliJson(['outbox', 'show', outbox.stdout.split('\t')[0]!], env);
  assert.equal(one.replyTo.startsWith('help+t'), true);

  const moved = await runCli(['profile', 'update', 'mailer', '--smtp-host', '127.0.0.1'], env);
  assert.notEqual(moved.code, 0);
  assert.match(moved.stderr, /Password should be given again: the host changed/);
  const removed = await runCli(['profile', 'update', 'mailer', '--no-smtp'], env);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal((await cliJson(['profile', 'show', 'mailer'], env)).smtp, null);
});

test('profile template: list the built-in, refuse an unknown placeholder at its position, set, show, remove', async () => {
  assert.equal((await runCli(['profile', 'add', 'templated'], env)).code, 0);
  const listed = await runCli(['profile', 'template', 'list', 'templated'], env);
  assert.match(listed.stdout, /^acknowledgement \(built in\)\tRe: \{\{item\.title\}\} \[#\{\{item\.id\}\}\]$/m);
  writeFileSync(join(dir, 'bad.txt'), 'Hello {{requester.name}},\nyour {{item.number}} is in.\n');
  const bad = await runCli(['profile', 'template', 'set', 'templated', 'thanks', '--subject', 'Thanks', '--text-file', join(dir, 'bad.txt')], env);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /text 2:6: unknown placeholder \{\{item\.number\}\}/);
  writeFileSync(join(dir, 'good.txt'), 'Hello {{requester.name}}, {{item.kind}} {{item.id}} is in {{project.name}}.\n');
  const set = await runCli(['profile', 'template', 'set', 'templated', 'thanks', '--subject', 'Thanks [#{{item.id}}]', '--text-file', join(dir, 'good.txt')], env);
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stderr, /template 'thanks' created/);
  const shown = await cliJson(['profile', 'template', 'show', 'templated', 'thanks'], env);
  assert.deepEqual([shown.subject, shown.builtIn, shown.html], ['Thanks [#{{item.id}}]', false, null]);
  assert.equal((await runCli(['profile', 'template', 'remove', 'templated', 'thanks'], env)).code, 0);
  assert.notEqual((await runCli(['profile', 'template', 'show', 'templated', 'thanks'], env)).code, 0);
});
