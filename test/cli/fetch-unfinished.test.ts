// `fetch --once` prints a line per message it processed (one an earlier run stored says so), and never
// passes over messages it could not finish: its summary says how many of the
// profile's messages are still without an outcome (here one held by a live worker).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/database.js';
import { registerService, unregisterService } from '../../src/store/services.js';
import { acquirePollLease, releasePollLease } from '../../src/sources/status.js';
import { cliJson, runCli } from '../support/cli.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { makeMessage } from '../support/messages.js';

describe('fetch --once and unfinished messages', { skip: dovecotSkip() }, () => {
  let dc: Dovecot;
  let dir: string;
  before(async () => {
    dc = await startDovecot();
    dir = mkdtempSync(join(tmpdir(), 'mailbind-fetch-unfinished-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dc?.stop();
  });

  test('the summary counts the messages a live worker still holds', async () => {
    const env = { MAILBIND_DATA_DIR: join(dir, 'data'), PW: 'alicepw' };
    await cliJson(['profile', 'add', 'pop', '--protocol', 'pop3', '--host', '127.0.0.1', '--port', String(dc.ports.pop3), '--tls', 'none',
      '--login', 'alice', '--password-env', 'PW', '--first-run', 'all'], env);
    const store = await openStore({ dataDir: env.MAILBIND_DATA_DIR, create: false });
    try {
      await registerService(store.db, { id: 'alive', kind: 'worker', host: 'h', pid: 1 });
      await runCli(['deliver', '--profile', 'pop'], env, makeMessage({ subject: 'held elsewhere' }));
      await store.db.updateTable('inbox_items')
        .set({ state: 'processing', claimed_by: 'alive', lease_until: new Date(Date.now() + 3_600_000).toISOString() }).execute();
    } finally {
      await store.close();
    }
    await dc.deliver('alice', makeMessage({ subject: 'on the server' }));
    const r = await runCli(['fetch', '--profile', 'pop', '--once'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^skipped\s+#2: the profile has no rules/m);
    assert.match(r.stdout, /1 message: 1 skipped; 1 on the server, 1 new, 0 left alone, 1 acknowledged; 1 without an outcome yet/);
  });

  test('fetch does not poll a mailbox a live worker is polling; it says so', async () => {
    // A data directory of its own: the test does not lean on the one before it having run.
    const env = { MAILBIND_DATA_DIR: join(dir, 'polled'), PW: 'alicepw' };
    await cliJson(['profile', 'add', 'pop', '--protocol', 'pop3', '--host', '127.0.0.1', '--port', String(dc.ports.pop3), '--tls', 'none',
      '--login', 'alice', '--password-env', 'PW', '--first-run', 'all'], env);
    const store = await openStore({ dataDir: env.MAILBIND_DATA_DIR, create: false });
    try {
      const profile = await store.db.selectFrom('profiles').select('id').where('name', '=', 'pop').executeTakeFirstOrThrow();
      assert.equal(await acquirePollLease(store.db, Number(profile.id), 'alive', 60_000), true);
      const r = await runCli(['fetch', '--profile', 'pop', '--once'], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /a worker is polling 'pop' right now/);
      await releasePollLease(store.db, Number(profile.id), 'alive');
      assert.equal((await runCli(['fetch', '--profile', 'pop', '--once'], env)).code, 0, 'free again once released');
    } finally {
      await store.close();
    }
  });
  test('each message gets its line, in the order processed, one stored earlier said so, then the summary; --json alike', async () => {
    const env = { MAILBIND_DATA_DIR: join(dir, 'lines'), PW: 'bobpw' };
    writeFileSync(join(dir, 'rules.txt'), "when subject contains 'skip' then ignore\nthen attach to project 1\n");
    assert.equal((await runCli(['tracker', 'project', 'add', '--name', 'General'], env)).code, 0);
    await cliJson(['profile', 'add', 'bobpop', '--protocol', 'pop3', '--host', '127.0.0.1', '--port', String(dc.ports.pop3), '--tls', 'none',
      '--login', 'bob', '--password-env', 'PW', '--first-run', 'all', '--rules-file', join(dir, 'rules.txt')], env);
    // Stored for a service that then went away before processing it (a killed worker).
    const store = await openStore({ dataDir: env.MAILBIND_DATA_DIR, create: false });
    try {
      await registerService(store.db, { id: 'gone', kind: 'worker', host: 'h', pid: 1 });
      assert.equal((await runCli(['deliver', '--profile', 'bobpop'], env, makeMessage({ subject: 'left by a worker' }))).code, 0);
      await unregisterService(store.db, 'gone');
    } finally {
      await store.close();
    }
    for (const subject of ['first new', 'skip this one', 'third new']) await dc.deliver('bob', makeMessage({ subject }));
    const r = await runCli(['fetch', '--profile', 'bobpop', '--once'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [
      'imported  #1: rule 2: attach to project 1 (stored earlier, processed now)',
      'imported  #2: rule 2: attach to project 1',
      'ignored   #3: ignored by the rule on line 1',
      'imported  #4: rule 2: attach to project 1',
      '4 messages: 3 imported, 1 ignored; 1 stored earlier was processed now; 3 on the server, 3 new, 0 left alone, 3 acknowledged',
      '',
    ].join('\n'));

    await runCli(['deliver', '--profile', 'bobpop'], env, makeMessage({ subject: 'piped' })); // processed at once
    await dc.deliver('bob', makeMessage({ subject: 'fifth' }));
    const json = await runCli(['fetch', '--profile', 'bobpop', '--once', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => [l.itemId, l.subject, l.outcome, l.storedEarlier ?? false, l.duplicate]), [[6, 'fifth', 'imported', false, false]]);
    assert.match(json.stderr, /^1 message: 1 imported; 4 on the server, 1 new, 0 left alone, 1 acknowledged$/m);
  });
});
