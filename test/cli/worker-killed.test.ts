// kill -9 of a real worker in the middle of its work, then a new worker: the dead one's mailbox is
// polled again and its messages processed within 60 s (its heartbeat stops, so its poll lease is taken
// over without waiting it out: the log says "from a worker that stopped", not "lease ran out"), and
// nothing is lost or made twice. Against real Dovecot over POP3, through a proxy that freezes the first
// worker mid-intake. (Taking over a dead worker's message claims is proved in store/dead-holders.)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/store/database.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { cliJson, startCli } from '../support/cli.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { makeMessage } from '../support/messages.js';
import { startProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

const MESSAGES = 200;

for (const dialect of await dialects()) describe(`a worker killed mid-work (${dialect})`, { skip: dovecotSkip() }, () => {
  let dc: Dovecot;
  let proxy: TcpProxy;
  let t: TestStore;
  let dir: string;
  let env: Record<string, string>;
  let store: Store;

  before(async () => {
    dc = await startDovecot();
    proxy = await startProxy({ targetPort: dc.ports.pop3 });
    dir = mkdtempSync(join(tmpdir(), 'mailbind-killed-'));
    // The workers and this test share the database: a fresh SQLite data dir, or a fresh PostgreSQL schema.
    t = await openTestStore(dialect);
    store = t.store;
    env = { ...t.env, PW: 'alicepw' };
    for (let i = 0; i < MESSAGES; i++) await dc.deliver('alice', makeMessage({ subject: `message ${i}`, body: `text ${i} `.repeat(2000) }));
    await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
    writeFileSync(join(dir, 'rules.txt'), 'then attach to project 1 and create request in project 1\n');
    await cliJson(['profile', 'add', 'pop', '--protocol', 'pop3', '--host', '127.0.0.1', '--port', String(proxy.port), '--tls', 'none',
      '--login', 'alice', '--password-env', 'PW', '--first-run', 'all', '--poll', '5', '--rules-file', join(dir, 'rules.txt')], env);
  });
  after(async () => {
    await t?.cleanup();
    await proxy?.close();
    rmSync(dir, { recursive: true, force: true });
    await dc?.stop();
  });

  const rows = async (table: 'inbox_items' | 'items') =>
    Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const processed = async () =>
    Number((await store.db.selectFrom('inbox_items').select((eb) => eb.fn.countAll<number>().as('n')).where('outcome', 'is not', null).executeTakeFirstOrThrow()).n);

  test('its mailbox and messages are taken over within 60 s; nothing lost, nothing twice', async () => {
    const first = startCli(['worker'], env);
    // Freeze the first worker in the middle of its download: it keeps its poll lease and whatever
    // it stored stays unprocessed, as a crash in the middle of a poll leaves things.
    await waitFor(async () => (await rows('inbox_items')) > 0, { what: () => `the first worker to store mail:\n${first.output()}`, timeoutMs: 20_000, intervalMs: 10 });
    proxy.stall();
    const storedBefore = await rows('inbox_items');
    await first.kill();
    proxy.passThrough();

    const killedAt = Date.now();
    const second = startCli(['worker'], env);
    try {
      await waitFor(async () => (await processed()) === MESSAGES, {
        what: async () => `all ${MESSAGES} messages processed (${await processed()} so far):\n${second.output()}`,
        timeoutMs: 60_000,
        intervalMs: 250,
      });
      const tookMs = Date.now() - killedAt;
      assert.ok(storedBefore < MESSAGES, `the first worker was stopped mid-intake (${storedBefore} of ${MESSAGES} stored)`);
      assert.ok(tookMs < 60_000, `taken over and finished in ${tookMs} ms`);
      assert.match(second.output(), /took over the mailbox from a worker that stopped/);
    } finally {
      await second.stop();
    }
    assert.equal(await rows('inbox_items'), MESSAGES, 'each message stored once');
    assert.equal(await rows('items'), MESSAGES, 'one request per message');
    const outcomes = await store.db.selectFrom('inbox_items').select('outcome').distinct().execute();
    assert.deepEqual(outcomes.map((o) => o.outcome), ['imported']);
  });
});
