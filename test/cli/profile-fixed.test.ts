// Fixing a profile (here: its password) clears the failure backoff and status, and a running worker
// polls it within seconds instead of after the backoff of the old settings.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, startCli } from '../support/cli.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { waitFor } from '../support/wait.js';

describe('a fixed profile', { skip: dovecotSkip() }, () => {
  let dc: Dovecot;
  let dir: string;
  before(async () => {
    dc = await startDovecot();
    dir = mkdtempSync(join(tmpdir(), 'mailbind-fixed-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dc?.stop();
  });

  test('a new password is tried at once: no waiting out the old backoff, no stale error', async () => {
    const env = { MAILBIND_DATA_DIR: join(dir, 'data'), BAD: 'wrong', GOOD: 'alicepw' };
    await cliJson(['profile', 'add', 'pop', '--protocol', 'pop3', '--host', '127.0.0.1', '--port', String(dc.ports.pop3), '--tls', 'none',
      '--login', 'alice', '--password-env', 'BAD', '--poll', '60'], env);
    const worker = startCli(['worker'], env);
    try {
      const failed = await waitFor(async () => {
        const s = await cliJson(['profile', 'status', 'pop'], env);
        return s.consecutiveFailures > 0 && s;
      }, { what: () => `the first poll to fail:\n${worker.output()}`, timeoutMs: 15_000 });
      assert.ok(Date.parse(failed.nextPollAt) - Date.now() > 30_000, 'the old settings wait a minute before the next try');
      await cliJson(['profile', 'update', 'pop', '--password-env', 'GOOD'], env);
      const cleared = await cliJson(['profile', 'status', 'pop'], env);
      assert.deepEqual([cleared.consecutiveFailures, cleared.lastError], [0, null]);
      const fixedAt = Date.now();
      const ok = await waitFor(async () => {
        const s = await cliJson(['profile', 'status', 'pop'], env);
        return s.lastSuccessAt && s;
      }, { what: () => `a successful poll with the new password:\n${worker.output()}`, timeoutMs: 20_000, intervalMs: 200 });
      assert.equal(ok.lastError, null);
      assert.ok(Date.now() - fixedAt < 20_000);
    } finally {
      await worker.stop();
    }
  });
});
