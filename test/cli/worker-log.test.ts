// What a worker says when a mailbox cannot be used, read from its log as an operator would: a wrong
// secret key as clearly as `profile status` says it, and a failing connection once (not every poll),
// without the IMAP library's stack traces.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, startCli } from '../support/cli.js';
import { waitFor } from '../support/wait.js';

let dir: string;
let closedPort: number;
let refuser: Server;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-worker-log-'));
  // A port that refuses connections: bound, then closed again.
  refuser = createServer();
  await new Promise<void>((resolve) => refuser.listen(0, '127.0.0.1', resolve));
  closedPort = (refuser.address() as { port: number }).port;
  await new Promise<void>((resolve) => refuser.close(() => resolve()));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `mailbind worker` until `done(log lines)` holds; returns the parsed JSON log lines. */
async function workerLog(
  env: Record<string, string>,
  done: (lines: any[]) => boolean | Promise<boolean>,
  what: string,
): Promise<{ lines: any[]; raw: string }> {
  const worker = startCli(['worker'], env);
  const parse = () => worker.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  let code: number | null = null;
  try {
    await waitFor(() => done(parse()), { what: () => `${what}; the log so far:\n${worker.output()}`, timeoutMs: 20_000 });
  } finally {
    code = await worker.stop();
  }
  assert.equal(code, 0, worker.output());
  return { lines: parse(), raw: worker.output() };
}

test('a wrong secret key: the worker logs the same words profile status shows', async () => {
  const env = { MAILBIND_DATA_DIR: join(dir, 'key'), MAILBIND_SECRET_KEY: 'the first key', PW: 'pw' };
  await cliJson(['profile', 'add', 'support', '--protocol', 'pop3', '--host', '127.0.0.1', '--port', String(closedPort), '--tls', 'none',
    '--login', 'alice', '--password-env', 'PW'], env);
  const wrong = { ...env, MAILBIND_SECRET_KEY: 'another key' };
  const { lines } = await workerLog(wrong, (l) => l.some((x) => x.msg === 'cannot read the mailbox settings'), 'the key error in the log');
  const logged = lines.find((x) => x.msg === 'cannot read the mailbox settings');
  assert.equal(logged.level, 50, 'logged as an error');
  assert.equal(logged.profile, 'support');
  const status = await cliJson(['profile', 'status', 'support'], wrong);
  assert.match(status.lastError, /the secret key changed/);
  assert.equal(logged.err, status.lastError);
});

test('a refused connection is logged once, not at every poll, and without stack traces', async () => {
  const env = { MAILBIND_DATA_DIR: join(dir, 'refused'), PW: 'pw' };
  await cliJson(['profile', 'add', 'imap', '--protocol', 'imap', '--host', '127.0.0.1', '--port', String(closedPort), '--tls', 'none',
    '--login', 'alice', '--password-env', 'PW', '--poll', '5'], env);
  // Two failed polls (the second after the first's 5 s back-off) and the IDLE watcher's retries
  // meanwhile: the same failure again each time.
  const failedPolls = async () => (await cliJson(['profile', 'status', 'imap'], env)).consecutiveFailures as number;
  const { lines, raw } = await workerLog(env, async () => (await failedPolls()) >= 2, 'two failed polls');
  const warned = (msg: string) => lines.filter((x) => x.msg === msg && x.level >= 40);
  assert.equal(warned('poll failed').length, 1, raw);
  assert.match(warned('poll failed')[0].err, /ECONNREFUSED|refused/i);
  assert.equal(warned('IMAP watcher could not connect').length, 1, raw);
  assert.doesNotMatch(raw, /^\s+at /m, 'no stack trace');
  assert.ok(!lines.some((x) => x.component === 'imapflow'), 'the IMAP library is silent unless debugging');
});
