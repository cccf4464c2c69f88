// A message that stops every worker that processes it, with real `mailbind worker` processes killed
// (SIGKILL) on PostgreSQL: the worker processing it waits on a real lock (an uncommitted requester row
// for its sender) and is killed there, as a crash on that message would end it. The next workers take
// its batch over once, then take each message of that batch alone, and give the one at fault up after it
// stopped them while alone twice: it is failed with why, and every other message is processed once.
// (The rules for each takeover on both databases: engine/stopped-holders, store/dead-holders.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { assemble } from '../../src/app/app.js';
import type { Store } from '../../src/store/database.js';
import { startCli, type RunningCli } from '../support/cli.js';
import { counts, holdRequesterLock, MESSAGES, STUCK, storeBurst } from '../support/lanes.js';
import { dialects, openTestStore } from '../support/store.js';
import { waitFor } from '../support/wait.js';

const postgres = (await dialects()).includes('postgres');

/** The workers' sessions are named, so that other test files' sessions on the same database are not taken for theirs. */
const WORKERS = `mailbind-stopped-holders-${process.pid}`;

/**
 * Whether a worker's session waits on another transaction (the held requester row): the worker
 * processing the stuck message. Not any lock: a worker starting may wait on the migrations' advisory
 * lock while another test file migrates its own schema.
 */
async function aWorkerWaitsOnTheRow(store: Store): Promise<boolean> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from pg_stat_activity
    where application_name = ${WORKERS} and wait_event_type = 'Lock' and wait_event = 'transactionid'`.execute(store.db);
  return Number(rows[0]!.n) > 0;
}

describe('a message that stops every worker processing it (PostgreSQL)', { skip: !postgres && 'PostgreSQL is not reachable' }, () => {
  test('taken alone after its batch was taken over, then failed with why; every other message processed once', async () => {
    const t = await openTestStore('postgres');
    const lock = await holdRequesterLock(t.store);
    const outputs: string[] = [];
    const env = { ...t.env, PGAPPNAME: WORKERS };
    try {
      const ids = await storeBurst(assemble(t.store, { messageIdDomain: 'mailbind.test' }));
      const stuck = ids[STUCK]!;
      const takeoversOf = async () => (await t.store.db.selectFrom('inbox_items').select('takeovers').where('id', '=', stuck).executeTakeFirstOrThrow()).takeovers;
      const holderOf = async () => (await t.store.db.selectFrom('inbox_items').select('claimed_by').where('id', '=', stuck).executeTakeFirstOrThrow()).claimed_by;
      const stoppedHolders: Array<string | null> = [null];
      const heldBesideIt = async () => (await t.store.db.selectFrom('inbox_items').select('id').where('state', '=', 'processing')
        .where('claimed_by', '=', (eb) => eb.selectFrom('inbox_items as stuck').select('stuck.claimed_by').where('stuck.id', '=', stuck))
        .orderBy('id').execute()).map((r) => Number(r.id));
      // Four workers stop on it: the first claimed it pending, the next took its batch over, the last two held it alone.
      for (const expected of [0, 1, 2, 3]) {
        const worker: RunningCli = startCli(['worker'], env);
        try {
          // Held by this worker (not by the one killed before it), which waits on the held row.
          await waitFor(async () => !stoppedHolders.includes(await holderOf()) && await aWorkerWaitsOnTheRow(t.store), {
            what: async () => `worker ${expected + 1} to wait on the stuck message (${JSON.stringify(await counts(t.store))}):\n${worker.output()}`,
            timeoutMs: 30_000,
          });
          assert.equal(await takeoversOf(), expected);
          if (expected >= 2) assert.deepEqual(await heldBesideIt(), [stuck], 'taken over before: it is the only message its worker holds');
        } finally {
          await worker.kill();
          outputs.push(worker.output());
          stoppedHolders.push(await holderOf());
        }
        // Its session, still waiting on the lock, is ended as PostgreSQL ends a dead client's (its TCP
        // keepalive, client_connection_check_interval), at once here: its transaction rolls back.
        await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${WORKERS} and wait_event_type = 'Lock'`.execute(t.store.db);
        await waitFor(async () => !(await aWorkerWaitsOnTheRow(t.store)), { what: 'the killed worker\'s session to end', timeoutMs: 10_000 });
        // Its heartbeat has stopped: a minute old, as it would be after the 15 s the next worker waits for.
        await t.store.db.updateTable('services').set({ beat_at: new Date(Date.now() - 60_000).toISOString() }).execute();
      }
      const last = startCli(['worker'], env);
      try {
        await waitFor(async () => (await counts(t.store)).processed === MESSAGES, {
          what: async () => `the fifth worker to give the stuck message up and process the rest (${JSON.stringify(await counts(t.store))}):\n${last.output()}`,
          timeoutMs: 60_000,
          intervalMs: 250,
        });
        assert.match(last.output(), /gave a message up: mailbind stopped 4 times while this message was being processed/);
      } finally {
        await last.stop();
      }
      assert.match(outputs[2]!, /took over a message whose worker stopped \(holder stopped\); taken over 2 times, it is processed alone/);
      const items = await t.store.db.selectFrom('inbox_items').select(['id', 'outcome', 'reason', 'takeovers']).orderBy('id').execute();
      assert.deepEqual(items.filter((i) => Number(i.id) !== stuck).map((i) => i.outcome), Array(MESSAGES - 1).fill('imported'));
      const failed = items.find((i) => Number(i.id) === stuck)!;
      assert.equal(failed.outcome, 'failed');
      assert.match(failed.reason!, /^mailbind stopped 4 times while this message was being processed \(the process ended or hung\), the last 2 times with no other message in hand/);
      // Those that shared its batch were taken over twice (with the batch, then alone), never given up.
      const batchMates = items.filter((i) => Number(i.id) !== stuck && i.takeovers > 0).map((i) => i.takeovers);
      assert.ok(batchMates.length > 0 && batchMates.every((n) => n <= 2), `takeovers of its batch mates: ${batchMates}`);
      const messages = await t.store.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(messages.n), MESSAGES - 1, 'one tracker message per processed inbox item');
    } finally {
      await lock.release();
      await t.cleanup();
    }
  });
});
