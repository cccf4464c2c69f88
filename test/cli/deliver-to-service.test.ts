// `deliver` next to a running service: the message is stored and left to the service (deliver loads
// no engine), which processes it; with no live service, deliver processes the message itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, runCli, startCli } from '../support/cli.js';
import { openStore } from '../../src/store/database.js';
import { registerService, unregisterService } from '../../src/store/services.js';
import { makeMessage } from '../support/messages.js';
import { waitFor } from '../support/wait.js';

let dir: string;
let env: Record<string, string>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-deliver-service-'));
  env = { MAILBIND_DATA_DIR: join(dir, 'data') };
  await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
  writeFileSync(join(dir, 'rules.txt'), 'then attach to project 1 and create request in project 1\n');
  await cliJson(['profile', 'add', 'support', '--protocol', 'pipe', '--rules-file', join(dir, 'rules.txt')], env);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('with a worker running, deliver leaves the message to it; after it stops, deliver processes itself', async () => {
  const worker = startCli(['worker'], env);
  let code: number | null = null;
  try {
    await waitFor(() => /worker started/.test(worker.output()), { what: () => `the worker to start: ${worker.output()}` });
    const queued = await runCli(['deliver', '--profile', 'support'], env, makeMessage({ subject: 'for the worker' }));
    assert.equal(queued.code, 0, queued.stderr);
    assert.match(queued.stdout, /stored as message 1; the running service processes it/);
    const items = await waitFor(async () => {
      const list = await cliJson(['messages', 'list'], env);
      return list[0]?.outcome ? list : undefined;
    }, { what: 'the worker to process the delivered message', timeoutMs: 15_000 });
    assert.deepEqual(items.map((i: any) => [i.subject, i.outcome]), [['for the worker', 'imported']]);
  } finally {
    code = await worker.stop();
  }
  assert.equal(code, 0, worker.output());
  const inline = await runCli(['deliver', '--profile', 'support'], env, makeMessage({ subject: 'no worker now' }));
  assert.equal(inline.code, 0, inline.stderr);
  assert.match(inline.stdout, /^imported\s+#2: rule 1/);
});

test('a message left without an outcome (its service died) is processed by the next deliver: its own retry, or any other', async () => {
  const store = await openStore({ dataDir: env.MAILBIND_DATA_DIR!, create: false });
  try {
    // A service that is registered but will never process anything (it was killed a moment ago).
    await registerService(store.db, { id: 'doomed', kind: 'worker', host: 'h', pid: 1 });
    const first = makeMessage({ subject: 'left behind' });
    const other = makeMessage({ subject: 'also left behind' });
    for (const raw of [first, other]) assert.match((await runCli(['deliver', '--profile', 'support'], env, raw)).stdout, /the running service processes it/);
    await unregisterService(store.db, 'doomed');
    // They were left a while ago (a deliver leaves a concurrent deliver's fresh message to that one).
    await store.db.updateTable('inbox_items').set({ received_at: new Date(Date.now() - 300_000).toISOString() })
      .where('outcome', 'is', null).execute();
    // The mail server retries the first message: it is processed, not called "already in the inbox".
    const retried = await runCli(['deliver', '--profile', 'support'], env, first);
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, /^imported\s+#\d+: rule 1/);
    // …and the other one was taken along, and said so.
    assert.match(retried.stdout, /^imported\s+#\d+: rule 1: .*\(stored earlier, processed now\)$/m);
    const items = await cliJson(['messages', 'list'], env);
    assert.deepEqual(items.filter((i: any) => /left behind/.test(i.subject)).map((i: any) => [i.subject, i.outcome]),
      [['left behind', 'imported'], ['also left behind', 'imported']]);
  } finally {
    await store.close();
  }
});
