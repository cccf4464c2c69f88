// `mailbind account`, `token` and `audit` as people and scripts use them: passwords from stdin or
// generated and printed once, tokens printed once and never listed, and an audit log naming who
// did what without any password or token in it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyPassword } from '../../src/app/passwords.js';
import { findAccount } from '../../src/store/accounts.js';
import { openStore } from '../../src/store/database.js';
import { cliJson, runCli } from '../support/cli.js';

let dir: string;
let env: Record<string, string>;
const secrets: string[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-account-'));
  env = { MAILBIND_DATA_DIR: join(dir, 'data'), USER: 'ops' };
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function passwordWorks(name: string, password: string): Promise<boolean> {
  const store = await openStore({ dataDir: env.MAILBIND_DATA_DIR!, create: false });
  try {
    const account = await findAccount(store.db, name);
    return account !== undefined && (await verifyPassword(password, account.passwordHash));
  } finally {
    await store.close();
  }
}

test('account add: a password from stdin, or a generated one printed once; list shows roles', async () => {
  const fromStdin = await runCli(['account', 'add', 'alice', '--role', 'admin', '--password-stdin'], env, 'alice-password-1\n');
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.equal(fromStdin.stdout, 'added account alice (admin)\n');
  secrets.push('alice-password-1');
  assert.equal(await passwordWorks('alice', 'alice-password-1'), true, 'the newline that ends stdin is not part of it');

  const generated = await runCli(['account', 'add', 'bob'], env);
  assert.equal(generated.code, 0, generated.stderr);
  const password = /^password: (\S+)$/m.exec(generated.stdout)?.[1];
  assert.ok(password, generated.stdout);
  secrets.push(password);
  assert.match(generated.stdout, /^added account bob \(viewer\)$/m);
  assert.match(generated.stderr, /shown only now/);
  assert.equal(await passwordWorks('bob', password), true);

  const listed = await cliJson(['account', 'list'], env);
  assert.deepEqual(listed.map((a: any) => [a.name, a.role]), [['alice', 'admin'], ['bob', 'viewer']]);
  const human = await runCli(['account', 'list'], env);
  assert.match(human.stdout, /^1\talice\tadmin\tcreated /m);
  for (const output of [JSON.stringify(listed), human.stdout]) assert.doesNotMatch(output, /scrypt|password/i);
});

test('account add refuses a short password and a taken name, saying why', async () => {
  const short = await runCli(['account', 'add', 'carol', '--password-stdin'], env, 'short\n');
  assert.equal(short.code, 1);
  assert.equal(short.stderr, 'mailbind: Password should have at least 10 characters\n');
  const taken = await runCli(['account', 'add', 'ALICE', '--password-stdin'], env, 'long-enough-password\n');
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, /an account named 'alice' already exists/);
});

test('account passwd, role and remove; the last admin stays', async () => {
  const passwd = await runCli(['account', 'passwd', 'bob', '--password-stdin'], env, 'bob-new-password\n');
  assert.equal(passwd.code, 0, passwd.stderr);
  secrets.push('bob-new-password');
  assert.equal(await passwordWorks('bob', 'bob-new-password'), true);
  const generated = await runCli(['account', 'passwd', 'bob'], env);
  const password = /^password: (\S+)$/m.exec(generated.stdout)?.[1];
  assert.ok(password && (await passwordWorks('bob', password)));
  secrets.push(password);

  const demote = await runCli(['account', 'role', 'alice', 'viewer'], env);
  assert.equal(demote.code, 1);
  assert.match(demote.stderr, /'alice' is the last admin/);
  assert.equal((await runCli(['account', 'role', 'bob', 'admin'], env)).stdout, 'bob is admin\n');
  const removed = await runCli(['account', 'remove', 'alice'], env);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal((await runCli(['account', 'remove', 'bob'], env)).code, 1);
  assert.deepEqual((await cliJson(['account', 'list'], env)).map((a: any) => a.name), ['bob']);
});

test('token create prints the token once; token list never shows it; revoke by name or id', async () => {
  const created = await runCli(['token', 'create', 'ci', '--role', 'admin'], env);
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  assert.match(token, /^mbt_[A-Za-z0-9_-]{43}$/, 'stdout is the token alone, for TOKEN=$(mailbind token create ci)');
  assert.match(created.stderr, /token 1 \(ci, admin\) created; it will not be shown again/);
  secrets.push(token);
  const json = await cliJson(['token', 'create', 'reader'], env);
  assert.equal(json.role, 'viewer');
  secrets.push(json.token);

  const listed = await cliJson(['token', 'list'], env);
  assert.deepEqual(listed.map((t: any) => [t.name, t.role, t.createdBy, t.revokedAt]), [['ci', 'admin', 'cli:ops', null], ['reader', 'viewer', 'cli:ops', null]]);
  assert.equal(listed[0].prefix, token.slice(0, 12));
  const human = await runCli(['token', 'list'], env);
  assert.match(human.stdout, new RegExp(`^1\\tci\\tadmin\\t${token.slice(0, 12)}…\\tcreated \\S+ by cli:ops\\tlast used never$`, 'm'));
  for (const output of [JSON.stringify(listed), human.stdout]) {
    assert.ok(!output.includes(token) && !output.includes(json.token), 'no token in token list');
  }

  assert.equal((await runCli(['token', 'revoke', 'ci'], env)).stdout, 'revoked token 1 (ci)\n');
  assert.equal((await runCli(['token', 'revoke', '2'], env)).stdout, 'revoked token 2 (reader)\n');
  const again = await runCli(['token', 'revoke', '1'], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /token 1 \(ci\) is already revoked/);
  assert.match((await runCli(['token', 'list'], env)).stdout, /^1\tci\t.*\trevoked \S+$/m);
});

test('audit lists who did what, newest first, a page at a time; no password or token in it', async () => {
  const page = await cliJson(['audit', '--limit', '3'], env);
  assert.deepEqual(page.entries.map((e: any) => `${e.actor} ${e.action} ${e.target}`), [
    'cli:ops token.revoke token reader',
    'cli:ops token.revoke token ci',
    'cli:ops token.create token reader',
  ]);
  const older = await cliJson(['audit', '--before', String(page.next), '--limit', '500'], env);
  assert.deepEqual(older.entries.map((e: any) => e.action), [
    'token.create', 'account.remove', 'account.role', 'account.passwd', 'account.passwd', 'account.add', 'account.add',
  ]);
  assert.equal(older.next, null);
  const human = await runCli(['audit', '--limit', '500'], env);
  assert.match(human.stdout, /^\d+\t\S+\tcli:ops\taccount\.role\taccount bob\t\{"id":2,"from":"viewer","to":"admin"\}$/m);
  assert.equal(secrets.length, 6);
  for (const output of [JSON.stringify(page), JSON.stringify(older), human.stdout]) {
    for (const secret of secrets) assert.ok(!output.includes(secret), 'a secret in the audit log');
  }
  const bad = await runCli(['audit', '--limit', 'ten'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--limit must be a number/);
});
