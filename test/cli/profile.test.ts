// `mailbind profile show` for people (never the secret) and `profile delete`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/database.js';
import { registerService, unregisterService } from '../../src/store/services.js';
import { cliJson, runCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';

let dir: string;
let env: Record<string, string>;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-profile-'));
  env = { MAILBIND_DATA_DIR: join(dir, 'data'), PW: 'hunter2-secret' };
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('profile show prints one setting a line and the rules; the password never appears', async () => {
  writeFileSync(join(dir, 'rules.txt'), '# routing\nthen attach to project 1\n');
  const add = await runCli(['profile', 'add', 'support', '--protocol', 'imap', '--host', 'imap.example.com', '--login', 'support@example.com',
    '--password-env', 'PW', '--tls', 'starttls', '--rules-file', join(dir, 'rules.txt')], env);
  assert.equal(add.code, 0, add.stderr);
  const r = await runCli(['profile', 'show', 'support'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^protocol:\s+imap$/m);
  assert.match(r.stdout, /^server:\s+imap\.example\.com:143 \(TLS: starttls\)$/m);
  assert.match(r.stdout, /^login:\s+support@example\.com \(password set\)$/m);
  assert.match(r.stdout, /^after import:\s+seen$/m);
  assert.match(r.stdout, /^max size:\s+50 MB$/m);
  assert.match(r.stdout, /^rules \(1\):\n  # routing\n  then attach to project 1$/m);
  assert.doesNotMatch(r.stdout, /[{}]/, 'not a JSON blob');
  const json = await cliJson(['profile', 'show', 'support'], env);
  assert.equal(json.source.hasPassword, true);
  for (const output of [r.stdout, JSON.stringify(json)]) {
    assert.doesNotMatch(output, /hunter2/);
    assert.doesNotMatch(output, /v1:/, 'not even sealed');
  }
});

test('profile delete removes the profile and its log; what it created stays', async () => {
  await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
  writeFileSync(join(dir, 'create.txt'), 'then attach to project 1 and create request in project 1\n');
  await cliJson(['profile', 'add', 'old', '--rules-file', join(dir, 'create.txt')], env);
  writeFileSync(join(dir, 'm.eml'), makeMessage({ subject: 'keep me' }));
  await runCli(['import', '--profile', 'old', join(dir, 'm.eml')], env);
  const deleted = await runCli(['profile', 'delete', 'old'], env);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stdout, /deleted profile \d+ \(old\)/);
  const gone = await runCli(['profile', 'show', 'old'], env);
  assert.equal(gone.code, 1);
  assert.deepEqual((await cliJson(['messages', 'list'], env)).length, 0);
  assert.deepEqual((await cliJson(['tracker', 'list', 'requests'], env)).map((r: any) => r.name), ['keep me']);
});

test('profile delete is refused while a message of the profile waits for processing', async () => {
  await cliJson(['profile', 'add', 'busy', '--protocol', 'pipe'], env);
  const store = await openStore({ dataDir: env.MAILBIND_DATA_DIR!, create: false });
  try {
    // A live service makes deliver only store the message: it waits for processing.
    await registerService(store.db, { id: 'svc', kind: 'worker', host: 'h', pid: 1 });
    await runCli(['deliver', '--profile', 'busy'], env, makeMessage({ subject: 'waiting' }));
    const refused = await runCli(['profile', 'delete', 'busy'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /profile 'busy' has 1 message still to process/);
    assert.equal((await cliJson(['messages', 'list', '--profile', 'busy'], env)).length, 1, 'the message is kept');
  } finally {
    await unregisterService(store.db, 'svc');
    await store.close();
  }
});

test('profile add and update take the threading flags; show prints them', async () => {
  const add = await runCli(['profile', 'add', 'threaded', '--closed-replies', 'new-item', '--subject-tokens', 'on', '--rate-limit-per-sender-hour', '5'], env);
  assert.equal(add.code, 0, add.stderr);
  assert.deepEqual((await cliJson(['profile', 'show', 'threaded'], env)).threading, { subjectTokens: true, companyMayReply: false, closedReplies: 'new-item', rateLimitPerSenderHour: 5, acknowledge: false });
  const update = await runCli(['profile', 'update', 'threaded', '--company-may-reply', 'on', '--subject-tokens', 'off', '--rate-limit-per-sender-hour', '0'], env);
  assert.equal(update.code, 0, update.stderr);
  const shown = await runCli(['profile', 'show', 'threaded'], env);
  assert.match(shown.stdout, /^replies:\s+subject tokens off; company may reply on; closed items: new-item; rate limit off; acknowledge off$/m);
  const wrong = await runCli(['profile', 'update', 'threaded', '--closed-replies', 'ignore'], env);
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /comment, reopen, new-item/);
  const notANumber = await runCli(['profile', 'update', 'threaded', '--rate-limit-per-sender-hour', 'many'], env);
  assert.notEqual(notANumber.code, 0);
  assert.match(notANumber.stderr, /rateLimitPerSenderHour: should be a whole number of messages from 0 \(no limit\) to 1000000/);
});
