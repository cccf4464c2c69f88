// `mailbind deliver` as Postfix/Exim call it: exit 0 once stored, 65 for empty or non-mail input,
// 75 when the message cannot be stored so the mail server retries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { assemble } from '../../src/app/app.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { openStore } from '../../src/store/database.js';
import { claimDueItems } from '../../src/store/inbox.js';
import { getProfile } from '../../src/store/profiles.js';
import { CLI, cliJson, runCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';
import { waitFor } from '../support/wait.js';

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

test('a reply whose original another process is recording: deliver says on stderr that it waits, then where the reply went', async () => {
  const app = assemble(await openStore({ dataDir: env.MAILBIND_DATA_DIR!, create: false }));
  const { store } = app;
  let child: ChildProcess | undefined;
  try {
    const profileId = (await getProfile(store.db, 'support')).id;
    const id = 'held-original@customer.example';
    const original = (await intakeMessage(store, makeMessage({ subject: 'Invoice', messageId: id }), { profileId })).item.id;
    // Another process (a concurrent deliver) has claimed the original and not recorded it yet.
    const [held] = await claimDueItems(store, { ids: [original], limit: 1, leaseMs: 60_000, owner: 'other-deliver' });

    const delivering = spawn(process.execPath, [CLI, 'deliver', '--profile', 'support'], { env: { PATH: process.env.PATH ?? '', ...env } });
    child = delivering;
    let stdout = '';
    let stderr = '';
    delivering.stdout.on('data', (d) => (stdout += d));
    delivering.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve, reject) => delivering.on('close', resolve).on('error', reject));
    delivering.stdin.end(makeMessage({ subject: 'Re: Invoice', headers: { 'In-Reply-To': `<${id}>` } }));

    const said = await waitFor(() => /^mailbind deliver: message \d+ is waiting for .*(?=\n)/m.exec(stderr)?.[0], { what: () => `deliver to say it waits (stderr: ${stderr})` });
    assert.match(said, new RegExp(`^mailbind deliver: message \\d+ is waiting for message ${original}, the one it replies to, which is being processed right now; waiting for it, (30|29) s at most$`));
    // The other process records the original; the reply, tried again when due, becomes a comment on its item.
    const made = await (await app.processor()).processItem(held!);
    assert.equal(made.outcome, 'imported');
    assert.equal(await exited, 0, stderr);
    assert.match(stdout, /^commented/m, stdout);
    assert.equal(stderr.match(/is waiting for/g)?.length, 1, `said once: ${stderr}`);
  } finally {
    if (child && child.exitCode === null) child.kill(); // a failed check leaves it waiting up to 30 s
    await app.close();
  }
});
