// Two workers processing at once on PostgreSQL must not deadlock each other. A transaction holds the row
// of a new requester it wrote, and the profile's outbox lock (pg_advisory_xact_lock) once it queues an
// acknowledgement, until it commits; were a group of messages one transaction whatever they did (as on
// SQLite), two workers meeting the same new senders or profiles in opposite order would wait on each
// other and PostgreSQL's victim would lose an attempt, and so would replies writing to the same items (new
// participants, a reopen). A message that writes such shared rows ends its group's transaction
// (engine/process.ts: endsTransaction). Each worker here reaches its second message before
// either goes on (a two-party barrier in the tracker's snapshot, no clock), in both orders. Within one
// message a deadlock can still happen (two new people in opposite order): its victim is done again at
// once instead of waiting for a retry.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { processorFor } from '../support/processor.js';
import { memoryLog } from '../support/memory-log.js';
import { createProfile } from '../../src/store/profiles.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { addProject } from '../../src/tracker/builtin/admin.js';
import { BuiltinTracker } from '../../src/tracker/builtin/index.js';
import { DEFAULT_THREADING } from '../../src/store/threading-settings.js';
import type { Db } from '../../src/store/database.js';
import type { SnapshotRequest, TrackerSnapshot, TrackerWriter } from '../../src/tracker/port.js';

/** Holds each worker at its message `second-…` until both are there. */
class MeetAtSecond extends BuiltinTracker {
  private arrived = 0;
  private release!: () => void;
  private readonly bothThere = new Promise<void>((resolve) => (this.release = resolve));

  override async snapshot(request: SnapshotRequest, transaction?: Db): Promise<TrackerSnapshot> {
    if (request.messageId?.startsWith('second-')) {
      if (++this.arrived === 2) this.release();
      await this.bothThere;
    }
    return super.snapshot(request, transaction);
  }
}

/**
 * Holds each worker at the second requester it inserts in a transaction until both are there: each then
 * inserts the requester the other inserted first, and PostgreSQL breaks the deadlock. For one message
 * per worker, each with two new people.
 */
class CrossedRequesters extends BuiltinTracker {
  private arrived = 0;
  private release!: () => void;
  private readonly bothThere = new Promise<void>((resolve) => (this.release = resolve));
  private readonly calls = new WeakMap<Db, number>();

  override writer(transaction: Db): TrackerWriter {
    const writer = super.writer(transaction);
    const ensureRequester = writer.ensureRequester.bind(writer);
    writer.ensureRequester = async (requester) => {
      const n = (this.calls.get(transaction) ?? 0) + 1;
      this.calls.set(transaction, n);
      if (n === 2) {
        if (++this.arrived === 2) this.release();
        await this.bothThere;
      }
      return ensureRequester(requester);
    };
    return writer;
  }
}

const onPostgres = (await dialects()).includes('postgres');
const RULES = 'then attach to project 1 and create request in project 1\n';

describe('two workers on postgres', { skip: !onPostgres && 'PostgreSQL is not reachable' }, () => {
  let t: TestStore;
  before(async () => {
    t = await openTestStore('postgres');
    await addProject(t.store.db, { name: 'General' });
  });
  after(() => t.cleanup());

  async function put(profileId: number, from: string, messageId: string): Promise<number> {
    return (await intakeMessage(t.store, makeMessage({ from, messageId, subject: messageId }), { profileId })).item.id;
  }

  /** Two requests from a known sender, made and committed before the workers start. */
  async function twoItems(profileId: number, tag: string): Promise<number[]> {
    const ids = [await put(profileId, 'k@c.example', `orig1-${tag}@c.example`), await put(profileId, 'k@c.example', `orig2-${tag}@c.example`)];
    return (await processorFor(t.store).processDue({ ids })).map((r) => r.created.items[0]!);
  }

  /** A reply by the known sender to one of them, Cc'ing someone if `cc`. */
  const reply = async (profileId: number, original: string, messageId: string, cc?: string) =>
    (await intakeMessage(t.store, makeMessage({ from: 'k@c.example', messageId, subject: `Re: ${original}`, headers: { 'In-Reply-To': `<${original}>` }, ...(cc ? { cc } : {}) }), { profileId })).item.id;

  async function bothWorkers(a: number[], b: number[]) {
    const tracker = new MeetAtSecond(t.store.db);
    const run = (ids: number[], owner: string) => processorFor(t.store, { tracker, owner }).processDue({ ids });
    return (await Promise.all([run(a, 'worker-a'), run(b, 'worker-b')])).flat();
  }

  test('the same two new senders in opposite order: every message imported, none waits for a retry', async () => {
    const { id } = await createProfile(t.store.db, { name: 'senders', rules: RULES });
    const a = [await put(id, 'x@customer.example', 'first-a1@c.example'), await put(id, 'y@customer.example', 'second-a1@c.example')];
    const b = [await put(id, 'y@customer.example', 'first-b1@c.example'), await put(id, 'x@customer.example', 'second-b1@c.example')];
    const results = await bothWorkers(a, b);
    assert.deepEqual(results.map((r) => [r.subject, r.outcome, r.error ?? null]).sort(), [
      ['first-a1@c.example', 'imported', null], ['first-b1@c.example', 'imported', null],
      ['second-a1@c.example', 'imported', null], ['second-b1@c.example', 'imported', null],
    ]);
  });

  test('two acknowledging profiles in opposite order: every message imported, none waits for a retry', async () => {
    const threading = { ...DEFAULT_THREADING, acknowledge: true };
    const one = (await createProfile(t.store.db, { name: 'one', rules: RULES, threading })).id;
    const two = (await createProfile(t.store.db, { name: 'two', rules: RULES, threading })).id;
    const a = [await put(one, 's1@c.example', 'first-a2@c.example'), await put(two, 's2@c.example', 'second-a2@c.example')];
    const b = [await put(two, 's3@c.example', 'first-b2@c.example'), await put(one, 's4@c.example', 'second-b2@c.example')];
    const results = await bothWorkers(a, b);
    assert.deepEqual(results.map((r) => r.outcome), ['imported', 'imported', 'imported', 'imported']);
  });

  test('two acknowledging profiles in opposite order, senders already known: only the outbox locks meet, and none waits for a retry', async () => {
    const threading = { ...DEFAULT_THREADING, acknowledge: true };
    const one = (await createProfile(t.store.db, { name: 'three', rules: RULES, threading })).id;
    const two = (await createProfile(t.store.db, { name: 'four', rules: RULES, threading })).id;
    const plain = (await createProfile(t.store.db, { name: 'plain', rules: RULES })).id;
    const senders = ['k1@c.example', 'k2@c.example', 'k3@c.example', 'k4@c.example'];
    await processorFor(t.store).processDue({ ids: await Promise.all(senders.map((s) => put(plain, s, `known-${s}`))) });
    const a = [await put(one, senders[0]!, 'first-a3@c.example'), await put(two, senders[1]!, 'second-a3@c.example')];
    const b = [await put(two, senders[2]!, 'first-b3@c.example'), await put(one, senders[3]!, 'second-b3@c.example')];
    const results = await bothWorkers(a, b);
    assert.deepEqual(results.map((r) => [r.outcome, r.created.requesters.length, r.created.mails.length]), Array(4).fill(['imported', 0, 1]));
  });

  test('one message each, with the same two new people in opposite order: the deadlock\'s victim is done again at once, not retried', async () => {
    const { id } = await createProfile(t.store.db, { name: 'crossed', rules: RULES });
    const crossed = (from: string, cc: string, messageId: string) =>
      intakeMessage(t.store, makeMessage({ from, cc, messageId, subject: `crossed ${messageId}` }), { profileId: id }).then((r) => r.item.id);
    const a = [await crossed('c1@c.example', 'c2@c.example', 'crossed-a@c.example')];
    const b = [await crossed('c2@c.example', 'c1@c.example', 'crossed-b@c.example')];
    const log = memoryLog();
    const tracker = new CrossedRequesters(t.store.db);
    const run = (ids: number[], owner: string) => processorFor(t.store, { tracker, owner, logger: log.logger }).processDue({ ids });
    const results = (await Promise.all([run(a, 'worker-a'), run(b, 'worker-b')])).flat();
    assert.deepEqual(results.map((r) => [r.outcome, r.error ?? null]), [['imported', null], ['imported', null]]);
    // The deadlock happened, and its victim was done again.
    const redone = log.find('chosen as the victim of a conflict between workers; processing it again at once');
    assert.equal(redone.length, 1);
    assert.match(String(redone[0]!.err), /deadlock detected/);
    for (const itemId of [...a, ...b]) {
      const item = await t.store.db.selectFrom('inbox_items').select(['attempts', 'last_error']).where('id', '=', itemId).executeTakeFirstOrThrow();
      assert.deepEqual([item.attempts, item.last_error], [0, null], `inbox item ${itemId}`);
    }
  });

  // Replies of a known sender, no mail: what they share is the items they write to (found in review).
  test('replies adding the same new participants to two items, in opposite order: every one a comment, none waits for a retry', async () => {
    const { id } = await createProfile(t.store.db, { name: 'participants', rules: RULES });
    await twoItems(id, 'p');
    const a = [await reply(id, 'orig1-p@c.example', 'first-a4@c.example', 'p1@x.example'), await reply(id, 'orig2-p@c.example', 'second-a4@c.example', 'p2@x.example')];
    const b = [await reply(id, 'orig2-p@c.example', 'first-b4@c.example', 'p2@x.example'), await reply(id, 'orig1-p@c.example', 'second-b4@c.example', 'p1@x.example')];
    const results = await bothWorkers(a, b);
    assert.deepEqual(results.map((r) => [r.outcome, r.error ?? null]), Array(4).fill(['commented', null]));
  });

  test('replies reopening two closed items, in opposite order: every one a comment, none waits for a retry', async () => {
    const { id } = await createProfile(t.store.db, { name: 'reopening', rules: RULES, threading: { ...DEFAULT_THREADING, closedReplies: 'reopen' } });
    const items = await twoItems(id, 'r');
    await t.store.db.updateTable('items').set({ state: 'closed' }).where('id', 'in', items).execute();
    const a = [await reply(id, 'orig1-r@c.example', 'first-a5@c.example'), await reply(id, 'orig2-r@c.example', 'second-a5@c.example')];
    const b = [await reply(id, 'orig2-r@c.example', 'first-b5@c.example'), await reply(id, 'orig1-r@c.example', 'second-b5@c.example')];
    const results = await bothWorkers(a, b);
    assert.deepEqual(results.map((r) => [r.outcome, r.error ?? null]), Array(4).fill(['commented', null]));
    const states = await t.store.db.selectFrom('items').select('state').where('id', 'in', items).execute();
    assert.deepEqual(states.map((s) => s.state), ['open', 'open']);
  });
});
