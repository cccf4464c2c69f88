// The data dir holds people's mail: what mailbind creates there is its owner's only, even under a
// permissive umask, and a service started on a data dir others can read says so, with the fix.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, runCli, startCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';
import { waitFor } from '../support/wait.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-permissions-'));
  dirs.push(dir);
  return dir;
}

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

test('a new data dir, its database and blobs are the owner\'s only, whatever the umask', async () => {
  const dir = tempDir();
  const data = join(dir, 'parent', 'data');
  const env = { MAILBIND_DATA_DIR: data };
  const umask = process.umask(0); // children inherit it: nothing is taken away by the umask
  try {
    await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
    writeFileSync(join(dir, 'rules.txt'), 'then attach to project 1 and create request in project 1\n');
    await cliJson(['profile', 'add', 'support', '--protocol', 'pipe', '--rules-file', join(dir, 'rules.txt')], env);
    // Large enough that the raw message is a blob file too (not a row of the database: store/raw-messages.ts).
    const attachment = { name: 'log.txt', type: 'text/plain', content: Buffer.from('attached text\n'.repeat(6000)) };
    const delivered = await runCli(['deliver', '--profile', 'support'], env, makeMessage({ subject: 'with a file', attachment }));
    assert.equal(delivered.code, 0, delivered.stderr);
    // While a service has the database open, its -wal and -shm files exist.
    const worker = startCli(['worker'], env);
    try {
      await waitFor(() => /worker started/.test(worker.output()), { what: () => `the worker to start: ${worker.output()}` });
      assert.doesNotMatch(worker.output(), /readable by group or others/);
      assert.deepEqual([modeOf(`${data}/mailbind.sqlite-wal`), modeOf(`${data}/mailbind.sqlite-shm`)], ['600', '600']);
    } finally {
      assert.equal(await worker.stop(), 0, worker.output());
    }
  } finally {
    process.umask(umask);
  }
  assert.equal(modeOf(data), '700');
  assert.equal(modeOf(join(data, 'mailbind.sqlite')), '600');
  const blobs = join(data, 'blobs');
  const shards = readdirSync(blobs).filter((name) => name !== 'tmp');
  const files = shards.flatMap((s) => readdirSync(join(blobs, s)).map((f) => join(blobs, s, f)));
  assert.equal(files.length, 2, 'the raw message and the attachment are stored as blobs');
  assert.deepEqual([blobs, join(blobs, 'tmp'), ...shards.map((s) => join(blobs, s))].map(modeOf), Array(shards.length + 2).fill('700'));
  assert.deepEqual(files.map(modeOf), Array(files.length).fill('600'));
});

test('a service started on a data dir and database others can read warns, naming the paths and the chmod', async () => {
  const dir = tempDir();
  const data = join(dir, 'data');
  mkdirSync(data);
  chmodSync(data, 0o755);
  const env = { MAILBIND_DATA_DIR: data };
  await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
  chmodSync(join(data, 'mailbind.sqlite'), 0o644);
  const serve = startCli(['serve', '--port', '0'], env);
  try {
    await waitFor(() => /mailbind is running/.test(serve.output()), { what: () => `serve to start: ${serve.output()}` });
  } finally {
    assert.equal(await serve.stop(), 0, serve.output());
  }
  const warnings = serve.output().split('\n').filter((line) => /"level":40/.test(line)).map((line) => JSON.parse(line).msg);
  assert.deepEqual(warnings, [
    `${data} is readable by group or others (mode 0755) and holds people's mail; run: chmod 700 ${data}`,
    `${data}/mailbind.sqlite is readable by group or others (mode 0644) and holds people's mail; run: chmod 600 ${data}/mailbind.sqlite`,
  ]);
});
