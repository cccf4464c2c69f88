// `mailbind worker --concurrency N` as a user runs it: the option (and MAILBIND_CONCURRENCY) checked before
// anything opens, more than one lane refused on SQLite; on PostgreSQL a worker killed (SIGKILL) while one
// lane is inside a batch transaction and the other has processed everything else: the next worker takes
// its claims over once its heartbeat is stale, and every message is processed exactly once.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../../src/app/app.js';
import { runCli, startCli } from '../support/cli.js';
import { allButTheStuckBatch, assertEachOnce, counts, holdRequesterLock, MESSAGES, storeBurst } from '../support/lanes.js';
import { dialects, openTestStore } from '../support/store.js';
import { waitFor } from '../support/wait.js';

describe('worker --concurrency: the setting', () => {
  let dir: string;
  before(() => void (dir = mkdtempSync(join(tmpdir(), 'mailbind-lanes-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [args, env, message] of [
    [['worker', '--concurrency', '0'], {}, "--concurrency must be a whole number of processing lanes from 1 to 32, got '0'"],
    [['worker', '--concurrency', 'abc'], {}, "--concurrency must be a whole number of processing lanes from 1 to 32, got 'abc'"],
    [['worker', '--concurrency', '1.5'], {}, "got '1.5'"],
    [['serve', '--concurrency', '33', '--port', '0'], {}, "--concurrency must be a whole number of processing lanes from 1 to 32, got '33'"],
    [['worker'], { MAILBIND_CONCURRENCY: 'abc' }, "MAILBIND_CONCURRENCY must be a whole number of processing lanes from 1 to 32, got 'abc'"],
    [['worker', '--concurrency', '2'], {}, '--concurrency 2 needs PostgreSQL (MAILBIND_DATABASE_URL): SQLite has one writer'],
    [['serve', '--port', '0'], { MAILBIND_CONCURRENCY: '3' }, 'MAILBIND_CONCURRENCY=3 needs PostgreSQL (MAILBIND_DATABASE_URL)'],
  ] as const) {
    test(`${args.join(' ')} ${JSON.stringify(env)}: refused in one line, nothing created`, async () => {
      const dataDir = join(dir, 'data');
      const r = await runCli([...args], { MAILBIND_DATA_DIR: dataDir, ...env });
      assert.equal(r.code, 1, r.stderr);
      assert.ok(r.stderr.includes(message), r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(existsSync(dataDir), false, 'no data dir created');
    });
  }
});

const postgres = (await dialects()).includes('postgres');

describe('worker --concurrency 2 killed mid-batch (PostgreSQL)', { skip: !postgres && 'PostgreSQL is not reachable' }, () => {
  test('the next worker takes its claims over; every message processed once', async () => {
    const t = await openTestStore('postgres');
    try {
      const ids = await storeBurst(assemble(t.store, { messageIdDomain: 'mailbind.test' }));
      const lock = await holdRequesterLock(t.store);
      const first = startCli(['worker', '--concurrency', '2'], t.env);
      try {
        await waitFor(() => allButTheStuckBatch(t.store), {
          what: async () => `the first worker's second lane to process all but the stuck batch (${JSON.stringify(await counts(t.store))}):\n${first.output()}`,
          timeoutMs: 30_000,
        });
        assert.match(first.output(), /processing in 2 lanes/);
        assert.ok((await counts(t.store)).processing > 0, 'a batch is in hand when it dies');
      } finally {
        // Killed while one lane waits on the lock inside its transaction: nothing of that batch commits.
        await first.kill();
        await lock.release();
      }
      const second = startCli(['worker', '--concurrency', '2'], t.env);
      try {
        await waitFor(async () => (await counts(t.store)).processed === MESSAGES, {
          what: async () => `the second worker to take over and finish (${JSON.stringify(await counts(t.store))}):\n${second.output()}`,
          timeoutMs: 60_000,
          intervalMs: 250,
        });
        assert.match(second.output(), /took over a message whose worker stopped \(holder stopped\)/);
      } finally {
        await second.stop();
      }
      await assertEachOnce(t.store, ids);
    } finally {
      await t.cleanup();
    }
  });
});
