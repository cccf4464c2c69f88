// `messages retry` on a message without an outcome: one stranded by a worker that died holding it is
// processed now; one waiting for its backoff is made due and processed now; one a live worker holds is
// refused, naming the holder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store/database.js';
import { registerService } from '../../src/store/services.js';
import { getInboxItem, insertInboxItem } from '../../src/store/inbox.js';
import { cliJson, runCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';

let dir: string;
let env: Record<string, string>;
let store: Store;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-stranded-'));
  env = { MAILBIND_DATA_DIR: join(dir, 'data') };
  await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
  writeFileSync(join(dir, 'rules.txt'), 'then attach to project 1 and create request in project 1\n');
  await cliJson(['profile', 'add', 'support', '--protocol', 'pipe', '--rules-file', join(dir, 'rules.txt')], env);
  store = await openStore({ dataDir: env.MAILBIND_DATA_DIR!, create: false });
  // A live service makes deliver only store; the messages then stay without an outcome.
  await registerService(store.db, { id: 'alive', kind: 'worker', host: 'h', pid: 1 });
  await registerService(store.db, { id: 'dead', kind: 'worker', host: 'h', pid: 2 });
  await store.db.updateTable('services').set({ beat_at: new Date(Date.now() - 60_000).toISOString() }).where('id', '=', 'dead').execute();
  for (const subject of ['stranded', 'backing off', 'in hand']) {
    const r = await runCli(['deliver', '--profile', 'support'], env, makeMessage({ subject }));
    assert.match(r.stdout, /the running service processes it/);
  }
  const later = new Date(Date.now() + 3_600_000).toISOString();
  await store.db.updateTable('inbox_items').set({ state: 'processing', claimed_by: 'dead', lease_until: later }).where('id', '=', 1).execute();
  await store.db.updateTable('inbox_items').set({ attempts: 2, next_attempt_at: later, last_error: 'earlier trouble' }).where('id', '=', 2).execute();
  await store.db.updateTable('inbox_items').set({ state: 'processing', claimed_by: 'alive', lease_until: later }).where('id', '=', 3).execute();
});
after(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a message stranded by a dead worker is processed now', async () => {
  const r = await cliJson(['messages', 'retry', '1'], env);
  assert.deepEqual([r.outcome, r.created.length], ['imported', 1]);
});

test('a message waiting for its backoff is processed now', async () => {
  const r = await cliJson(['messages', 'retry', '2'], env);
  assert.equal(r.outcome, 'imported');
});

test('a message a live worker holds is refused, naming the holder', async () => {
  const r = await runCli(['messages', 'retry', '3'], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /message 3 is being processed by alive right now/);
});

test('a duplicate copy is not retried: its first copy already made the items', async () => {
  // The same bytes under another origin key (as when a mailbox hands the message over again).
  const first = (await getInboxItem(store.db, 1))!;
  const { item: copy } = await insertInboxItem(store.db, {
    profileId: first.profileId, originKey: 'another-uid', rawRef: first.rawRef, rawSize: first.rawSize, messageId: first.messageId,
  });
  assert.equal(copy.reason, 'duplicate of message #1');
  const r = await runCli(['messages', 'retry', String(copy.id)], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`message ${copy.id} is a duplicate of message #1: the same bytes were taken before`));
});
