// Alerts as an operator turns them on: `serve` sends them (MAILBIND_ALERT_WEBHOOK) and refuses to start
// with settings it cannot use; `worker` never sends them (workers may be many), so it does not even
// read the settings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, runCli, startCli } from '../support/cli.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';
import { waitFor } from '../support/wait.js';

let dir: string;
let env: Record<string, string>;
let receiver: Receiver;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-serve-alerts-'));
  receiver = await startReceiver();
  // A mailbox that refuses connections: a port bound, then closed again.
  const refuser = createServer();
  await new Promise<void>((resolve) => refuser.listen(0, '127.0.0.1', resolve));
  const port = (refuser.address() as { port: number }).port;
  await new Promise<void>((resolve) => refuser.close(() => resolve()));
  env = { MAILBIND_DATA_DIR: join(dir, 'data'), PW: 'pw' };
  await cliJson(['profile', 'add', 'support', '--protocol', 'pop3', '--host', '127.0.0.1', '--port', String(port), '--tls', 'none',
    '--login', 'alice', '--password-env', 'PW'], env);
});
after(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

test('serve sends profile.failing to the webhook once the mailbox keeps failing', async () => {
  const serve = startCli(['serve', '--port', '0'], {
    ...env, MAILBIND_ALERT_WEBHOOK: receiver.url, MAILBIND_ALERT_FAILURES: '1', MAILBIND_ALERT_CHECK_SECONDS: '0.2',
  });
  let code: number | null = null;
  try {
    const alert = await waitFor(() => receiver.delivered()[0]?.body, { what: () => `the alert; serve's output so far:\n${serve.output()}`, timeoutMs: 15_000 });
    assert.equal(alert.event, 'profile.failing');
    assert.equal(alert.profile.name, 'support');
  } finally {
    code = await serve.stop();
  }
  assert.equal(code, 0, serve.output());
});

test('serve refuses alert settings it cannot use, naming them, without printing the webhook', async () => {
  const r = await runCli(['serve', '--port', '0'], { ...env, MAILBIND_ALERT_WEBHOOK: 'ftp://user:Secr3t@hooks.example/x', MAILBIND_ALERT_FAILURES: 'three' });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /MAILBIND_ALERT_WEBHOOK should be an http:\/\/ or https:\/\/ address/);
  assert.match(r.stderr, /MAILBIND_ALERT_FAILURES should be a whole number greater than 0/);
  assert.ok(!(r.stdout + r.stderr).includes('Secr3t'));
});

test('worker sends no alerts: it starts and stops with the same unusable settings', async () => {
  const worker = startCli(['worker'], { ...env, MAILBIND_ALERT_WEBHOOK: 'ftp://hooks.example/x', MAILBIND_ALERT_FAILURES: 'three' });
  let code: number | null = null;
  try {
    await waitFor(() => worker.output().includes('worker started'), { what: () => `the worker to start; its output:\n${worker.output()}`, timeoutMs: 30_000 });
  } finally {
    code = await worker.stop();
  }
  assert.equal(code, 0, worker.output());
});
