// `mailbind serve` (what `npm start` runs) as a user starts it: it says where the data is, polls a
// mailbox profile on its schedule, processes what arrives, and stops cleanly on SIGTERM.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, startCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { waitFor } from '../support/wait.js';

describe('mailbind serve', { skip: dovecotSkip() }, () => {
  let dir: string;
  let env: Record<string, string>;
  let dc: Dovecot;

  before(async () => {
    dc = await startDovecot();
    dir = mkdtempSync(join(tmpdir(), 'mailbind-serve-'));
    env = { MAILBIND_DATA_DIR: join(dir, 'data'), PW: 'alicepw' };
    await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
    writeFileSync(join(dir, 'rules.txt'), 'then attach to project 1 and create request in project 1\n');
    await cliJson(['profile', 'add', 'pop', '--protocol', 'pop3', '--host', '127.0.0.1', '--port', String(dc.ports.pop3), '--tls', 'none',
      '--login', 'alice', '--password-env', 'PW', '--first-run', 'all', '--poll', '5', '--rules-file', join(dir, 'rules.txt')], env);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dc?.stop();
  });

  test('polls the mailbox, processes the mail, and stops on SIGTERM', async () => {
    await dc.deliver('alice', makeMessage({ subject: 'Served' }));
    const serve = startCli(['serve', '--port', '0'], env);
    let code: number | null = null;
    try {
      const requests = await waitFor(async () => {
        const listed = await cliJson(['tracker', 'list', 'requests'], env) as any[];
        return listed.length > 0 && listed;
      }, { what: () => `serve to poll and process the message; its output so far:\n${serve.output()}`, timeoutMs: 15_000, intervalMs: 250 });
      assert.deepEqual(requests.map((r) => r.name), ['Served']);
      assert.match(serve.output(), /mailbind is running at http:\/\/127\.0\.0\.1:\d+; data in .*data/);
    } finally {
      code = await serve.stop();
    }
    assert.equal(code, 0, serve.output());
  });
});
