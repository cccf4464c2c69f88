// `mailbind deliver` as Postfix/Exim call it: exit 0 once stored, 65 for empty or non-mail input,
// 75 when the message cannot be stored so the mail server retries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, runCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';

let dir: string;
let env: Record<string, string>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-deliver-'));
  env = { MAILBIND_DATA_DIR: join(dir, 'data') };
  await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
  writeFileSync(join(dir, 'rules.txt'), 'then attach to project 1 and create request in project 1\n');
  await cliJson(['profile', 'add', 'support', '--protocol', 'pipe', '--rules-file', join(dir, 'rules.txt')], env);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('exit 0 once stored; the message is processed; the same message again creates nothing', async () => {
  const raw = makeMessage({ subject: 'Piped in', messageId: 'piped@example.com' });
  const first = await runCli(['deliver', '--profile', 'support', '--json'], env, raw);
  assert.equal(first.code, 0, first.stderr);
  const line = JSON.parse(first.stdout);
  assert.equal(line.outcome, 'imported');
  assert.equal(line.created.length, 1);
  const second = await runCli(['deliver', '--profile', 'support', '--json'], env, raw);
  assert.equal(second.code, 0);
  assert.equal((await cliJson(['tracker', 'list', 'requests'], env)).length, 1);
});

test('a large message is streamed to storage whole', async () => {
  const raw = makeMessage({ subject: 'Big pipe', attachment: { name: 'big.bin', type: 'application/octet-stream', content: Buffer.alloc(6 * 1024 * 1024, 7) } });
  const r = await runCli(['deliver', '--profile', 'support', '--json'], env, raw);
  assert.equal(r.code, 0, r.stderr);
  const [item] = (await cliJson(['messages', 'list'], env)).filter((m: any) => m.subject === 'Big pipe');
  const shown = await cliJson(['messages', 'show', String(item.id)], env);
  assert.equal(shown.rawSize, raw.length);
});

test('exit 65 for empty or non-mail input', async () => {
  const empty = await runCli(['deliver', '--profile', 'support'], env, '');
  assert.equal(empty.code, 65);
  assert.match(empty.stderr, /empty/);
  const junk = await runCli(['deliver', '--profile', 'support'], env, Buffer.from([0x00, 0x01, 0x02, 0xff, 0x0a]));
  assert.equal(junk.code, 65);
  assert.match(junk.stderr, /not a mail message/);
});

test('exit 75 when the message cannot be stored (unknown profile, unwritable data dir)', async () => {
  const noProfile = await runCli(['deliver', '--profile', 'nope'], env, makeMessage());
  assert.equal(noProfile.code, 75);
  assert.match(noProfile.stderr, /no profile named 'nope'/);
  if (process.getuid?.() !== 0) {
    const ro = join(dir, 'readonly');
    await runCli(['profile', 'list'], { MAILBIND_DATA_DIR: ro });
    chmodSync(ro, 0o500);
    const r = await runCli(['deliver', '--profile', 'support'], { MAILBIND_DATA_DIR: ro }, makeMessage());
    assert.equal(r.code, 75);
  }
  const badDb = await runCli(['deliver', '--profile', 'support'], { ...env, MAILBIND_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, makeMessage());
  assert.equal(badDb.code, 75);
  assert.match(badDb.stderr, /cannot open the database/);
});
