// Mailbox profiles through the CLI against a real Dovecot: the password is stored encrypted and never
// printed, Check Connection reports each step (and names the setting to fix), fetch --once imports,
// and profile status tells what happened.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, cliJsonLines, runCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { startProxy } from '../support/tcp-proxy.js';

const skip = dovecotSkip();

describe('mailbox profiles through the CLI', { skip }, () => {
  let dir: string;
  let env: Record<string, string>;
  let dc: Dovecot;

  before(async () => {
    dc = await startDovecot();
    dir = mkdtempSync(join(tmpdir(), 'mailbind-mailbox-'));
    writeFileSync(join(dir, 'ca.pem'), dc.caCert);
    env = { MAILBIND_DATA_DIR: join(dir, 'data'), NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'), POP_PASSWORD: 'alicepw', BAD_PASSWORD: 'not-it' };
    await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
    writeFileSync(join(dir, 'rules.txt'), 'then attach to project 1 and create request in project 1\n');
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dc?.stop();
  });

  const pop3 = () => ['--protocol', 'pop3', '--host', '127.0.0.1', '--port', String(dc.ports.pop3s), '--tls', 'tls', '--login', 'alice'];

  test('the password is encrypted at rest (key file mode 0600) and never printed', async () => {
    const created = await cliJson(['profile', 'add', 'pop', ...pop3(), '--password-env', 'POP_PASSWORD', '--first-run', 'all', '--rules-file', join(dir, 'rules.txt')], env);
    assert.equal(created.source.hasPassword, true);
    assert.doesNotMatch(JSON.stringify(created), /alicepw|v1:/);
    const shown = await runCli(['profile', 'show', 'pop', '--json'], env);
    assert.doesNotMatch(shown.stdout, /alicepw/);
    const database = readFileSync(join(dir, 'data', 'mailbind.sqlite'));
    assert.equal(database.includes(Buffer.from('alicepw')), false, 'the plain password is not in the database');
    assert.equal(statSync(join(dir, 'data', 'secret.key')).mode & 0o777, 0o600);
  });

  test('check: every step with its time; a wrong password names the password setting', async () => {
    const ok = await cliJson(['profile', 'check', 'pop'], env);
    assert.equal(ok.ok, true);
    assert.deepEqual(ok.steps.map((s: any) => s.step), ['dns', 'tcp', 'tls', 'greeting', 'capabilities', 'auth', 'folder']);
    for (const step of ok.steps) assert.equal(typeof step.ms, 'number');
    const bad = await runCli(['check', ...pop3(), '--password-env', 'BAD_PASSWORD', '--json'], env);
    assert.equal(bad.code, 1);
    const result = JSON.parse(bad.stdout);
    assert.equal(result.ok, false);
    const failed = result.steps.at(-1);
    assert.deepEqual([failed.step, failed.ok, failed.field], ['auth', false, 'password']);
    assert.doesNotMatch(bad.stdout, /not-it/);
    const human = await runCli(['check', ...pop3(), '--password-env', 'BAD_PASSWORD'], env);
    assert.match(human.stdout, /FAIL auth/);
    const missing = await runCli(['check', '--protocol', 'pop3', '--json'], env);
    assert.equal(JSON.parse(missing.stdout).steps[0].field, 'host');
  });

  test('check names a self-signed certificate when the CA is not trusted', async () => {
    const untrusted = { ...env, NODE_EXTRA_CA_CERTS: '' };
    const r = await runCli(['check', ...pop3(), '--password-env', 'POP_PASSWORD', '--json'], untrusted);
    const failed = JSON.parse(r.stdout).steps.at(-1);
    assert.equal(failed.step, 'tls');
    assert.match(failed.message, /certificate/);
    assert.equal(failed.field, 'allowInvalidCertificate');
    const allowed = await cliJson(['check', ...pop3(), '--password-env', 'POP_PASSWORD', '--allow-invalid-cert'], untrusted);
    assert.equal(allowed.ok, true);
  });

  test('fetch --once imports new mail and prints import lines; status shows the success', async () => {
    await dc.deliver('alice', makeMessage({ subject: 'Fetched by CLI' }));
    const lines = await cliJsonLines(['fetch', '--profile', 'pop', '--once'], env);
    assert.deepEqual(lines.map((l) => [l.subject, l.outcome]), [['Fetched by CLI', 'imported']]);
    assert.deepEqual(await cliJsonLines(['fetch', '--profile', 'pop', '--once'], env), []);
    const status = await cliJson(['profile', 'status', 'pop'], env);
    assert.ok(status.lastSuccessAt);
    assert.equal(status.counts.imported, 1);
    assert.ok(Date.parse(status.nextPollAt) > Date.now());
  });

  test('a failing fetch exits 69 (unavailable: try later) and is recorded in status', async () => {
    await cliJson(['profile', 'update', 'pop', '--password-env', 'BAD_PASSWORD'], env);
    const r = await runCli(['fetch', '--profile', 'pop', '--once'], env);
    assert.equal(r.code, 69);
    assert.match(r.stderr, /fetching 'pop' failed/);
    const status = await cliJson(['profile', 'status', 'pop'], env);
    assert.match(status.lastError, /login or password|authentication/i);
    assert.equal(status.consecutiveFailures, 1);
  });

  test('IMAP through the CLI: check lists each step with the folder count; a missing folder names the folder setting', async () => {
    await dc.deliver('alice', makeMessage({ subject: 'imap one' }));
    const imap = ['--protocol', 'imap', '--host', '127.0.0.1', '--port', String(dc.ports.imap), '--tls', 'starttls', '--login', 'alice', '--password-env', 'POP_PASSWORD'];
    const ok = await cliJson(['check', ...imap], env);
    assert.equal(ok.ok, true, JSON.stringify(ok));
    // STARTTLS: the capabilities are read in clear, then TLS, then login.
    assert.deepEqual(ok.steps.map((s: any) => s.step), ['dns', 'tcp', 'greeting', 'capabilities', 'tls', 'auth', 'folder']);
    assert.match(ok.steps.at(-1).message, /folder 'INBOX' has \d+ messages?/);
    const missing = await runCli(['check', ...imap, '--folder', 'Nope', '--json'], env);
    const failed = JSON.parse(missing.stdout).steps.at(-1);
    assert.deepEqual([failed.step, failed.field], ['folder', 'folder']);
    assert.match(failed.message, /Nope/);
    await cliJson(['profile', 'add', 'imap', ...imap, '--first-run', 'all', '--after-import', 'move:Done', '--rules-file', join(dir, 'rules.txt')], env);
    const lines = await cliJsonLines(['fetch', '--profile', 'imap', '--once'], env);
    assert.ok(lines.some((l) => l.subject === 'imap one' && l.outcome === 'imported'));
    const moved = await dc.doveadm(['mailbox', 'status', '-u', 'alice', 'messages', 'Done']);
    assert.match(moved, /messages=[1-9]/);
  });

  test('POP3 from-now: mail already there at profile add is old; mail arriving before the first poll is new', async () => {
    await dc.deliver('bob', makeMessage({ subject: 'before the profile' }));
    const bob = ['--protocol', 'pop3', '--host', '127.0.0.1', '--port', String(dc.ports.pop3s), '--tls', 'tls', '--login', 'bob', '--password-env', 'BOB_PASSWORD'];
    await cliJson(['profile', 'add', 'bobpop', ...bob, '--rules-file', join(dir, 'rules.txt')], { ...env, BOB_PASSWORD: 'bobpw' });
    await dc.deliver('bob', makeMessage({ subject: 'after the profile' }));
    const lines = await cliJsonLines(['fetch', '--profile', 'bobpop', '--once'], env);
    assert.deepEqual(lines.map((l) => l.subject), ['after the profile']);
  });

  test('fetch --once on a link cut half way: what it stored is already work; the next fetch goes on from there', async () => {
    const proxy = await startProxy({ targetPort: dc.ports.imap });
    try {
      for (let i = 1; i <= 60; i++) await dc.deliver('alice', makeMessage({ subject: `cut ${i}`, body: `${i} `.repeat(10_000) }), { folder: 'Cut' });
      const imap = ['--protocol', 'imap', '--host', '127.0.0.1', '--port', String(proxy.port), '--tls', 'none', '--login', 'alice', '--password-env', 'POP_PASSWORD'];
      await cliJson(['profile', 'add', 'cut', ...imap, '--folder', 'Cut', '--first-run', 'all', '--rules-file', join(dir, 'rules.txt')], env);
      proxy.cutAfterBytes(600_000);
      const failed = await runCli(['fetch', '--profile', 'cut', '--once'], env);
      assert.equal(failed.code, 69, failed.stderr);
      const cut = (await cliJson(['messages', 'list'], env)).filter((m: any) => /^cut \d+$/.test(m.subject ?? ''));
      assert.ok(cut.length >= 20 && cut.length < 60, `stored ${cut.length}`);
      assert.ok(cut.every((m: any) => m.outcome === 'imported'), 'every stored message was processed by the failed fetch');
      proxy.passThrough();
      const lines = await cliJsonLines(['fetch', '--profile', 'cut', '--once'], env);
      assert.equal(lines.length, 60 - cut.length, 'the second fetch takes only the rest');
      const all = (await cliJson(['messages', 'list'], env)).filter((m: any) => /^cut \d+$/.test(m.subject ?? ''));
      assert.equal(new Set(all.map((m: any) => m.subject)).size, 60);
      assert.equal(all.length, 60);
    } finally {
      await proxy.close();
    }
  });

  test('invalid settings are refused naming the field', async () => {
    const r = await runCli(['profile', 'add', 'p2', '--protocol', 'pop3', '--host', 'h', '--login', 'l', '--password-env', 'POP_PASSWORD', '--after-import', 'seen'], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /afterImport: POP3 can only leave or delete messages, not 'seen'/);
    const r2 = await runCli(['profile', 'add', 'p3', '--protocol', 'imap', '--host', 'h', '--login', 'l', '--password-env', 'POP_PASSWORD', '--first-run', 'yesterday'], env);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /firstRun: 'yesterday' is not one of from-now, all, since:YYYY-MM-DD/);
  });
});
