// Processing in groups on PostgreSQL (issue 14): a group of messages is one transaction, as on SQLite,
// except that a message whose work holds a lock other workers wait for (the row of a requester it
// inserted, the profile's outbox lock taken to queue mail) commits at once, and the rest of the group goes
// on in the next transaction. What another connection sees while the group is still being recorded shows
// where the commits fall; a group whose later part cannot commit keeps its committed part.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { memoryLog } from '../support/memory-log.js';
import { processorFor } from '../support/processor.js';
import { countedStore, StatementCounter } from '../support/statements.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { createProfile } from '../../src/store/profiles.js';
import { getInboxItem } from '../../src/store/inbox.js';
import { DEFAULT_THREADING } from '../../src/store/threading-settings.js';
import { addProject } from '../../src/tracker/builtin/admin.js';

const onPostgres = (await dialects()).includes('postgres');
const RULES = 'then attach to project 1 and create request in project 1\n';
const KNOWN = 'known@customer.example';

describe('group transactions on postgres', { skip: !onPostgres && 'PostgreSQL is not reachable' }, () => {
  let t: TestStore;
  let plain: number;
  let acknowledging: number;

  before(async () => {
    t = await openTestStore('postgres');
    await addProject(t.store.db, { name: 'General' });
    plain = (await createProfile(t.store.db, { name: 'plain', rules: RULES })).id;
    acknowledging = (await createProfile(t.store.db, { name: 'acknowledging', rules: RULES, threading: { ...DEFAULT_THREADING, acknowledge: true } })).id;
    // The known sender's requester, made by a message of their own.
    await processorFor(t.store).processDue({ ids: await store(plain, [{ from: KNOWN, subject: 'Earlier' }]) });
  });
  after(() => t.cleanup());

  async function store(profileId: number, messages: Array<{ from: string; subject: string }>): Promise<number[]> {
    const ids: number[] = [];
    for (const m of messages) ids.push((await intakeMessage(t.store, makeMessage(m), { profileId })).item.id);
    return ids;
  }

  /**
   * Processes `ids` and, each time a transaction reads the tracker's directory (its first message's
   * snapshot), what `look` finds through another connection, committed rows only.
   */
  async function processLooking<T>(ids: number[], look: () => Promise<T>) {
    const seen: T[] = [];
    const counter = new StatementCounter(async (name) => {
      if (name === 'select projects') seen.push(await look());
    });
    const results = await processorFor(countedStore(t.store, counter)).processDue({ ids });
    return { results, seen };
  }

  const requestersNamed = async (email: string) =>
    Number((await t.store.db.selectFrom('requesters').select((eb) => eb.fn.countAll<number>().as('n')).where('email', '=', email).executeTakeFirstOrThrow()).n);

  test('known senders asking for no mail: the group is one transaction', async () => {
    const ids = await store(plain, Array.from({ length: 5 }, (_, i) => ({ from: KNOWN, subject: `Known ${i}` })));
    const { results, seen } = await processLooking(ids, async () => 'read');
    assert.deepEqual(results.map((r) => r.outcome), ids.map(() => 'imported'));
    assert.equal(seen.length, 1);
  });

  test('a message that makes a new requester commits before the rest of its group goes on', async () => {
    const ids = await store(plain, [
      { from: KNOWN, subject: 'Before the new one' },
      { from: 'new@customer.example', subject: 'From someone new' },
      { from: KNOWN, subject: 'After the new one' },
      { from: KNOWN, subject: 'And another' },
    ]);
    const { results, seen } = await processLooking(ids, () => requestersNamed('new@customer.example'));
    assert.deepEqual(results.map((r) => r.outcome), ids.map(() => 'imported'));
    // The second transaction began with the new requester committed, where another worker meeting the
    // same sender finds it instead of waiting for the whole group.
    assert.deepEqual(seen, [0, 1]);
  });

  test('a message that queues an acknowledgement commits before the rest of its group goes on', async () => {
    const ids = await store(acknowledging, Array.from({ length: 3 }, (_, i) => ({ from: KNOWN, subject: `Acknowledged ${i}` })));
    const { results, seen } = await processLooking(ids, async () =>
      (await t.store.db.selectFrom('outbox').select('inbox_item_id').where('inbox_item_id', 'in', ids).orderBy('inbox_item_id').execute()).map((r) => Number(r.inbox_item_id)));
    assert.deepEqual(results.map((r) => r.created.mails.length), [1, 1, 1]);
    // Each acknowledgement took the profile's outbox lock, so each message was a transaction of its own.
    assert.deepEqual(seen, [[], ids.slice(0, 1), ids.slice(0, 2)]);
  });

  test('a group whose later transaction cannot commit: the committed part stays, the rest is done one message at a time', async () => {
    // Refuses, at commit, any transaction that records an outcome for the message named so.
    await sql`create function refuse_doomed() returns trigger language plpgsql as $$
      begin raise exception 'refused at commit'; end $$`.execute(t.store.db);
    await sql`create constraint trigger refuse_doomed after update on inbox_items deferrable initially deferred
      for each row when (new.subject = 'Doomed at commit' and new.outcome is not null) execute function refuse_doomed()`.execute(t.store.db);
    try {
      const ids = await store(plain, [
        { from: KNOWN, subject: 'Committed first' },
        { from: 'newer@customer.example', subject: 'Committed with a new requester' },
        { from: KNOWN, subject: 'In the refused transaction' },
        { from: KNOWN, subject: 'Doomed at commit' },
        { from: KNOWN, subject: 'Also in the refused transaction' },
      ]);
      const events: number[] = [];
      const log = memoryLog();
      const results = await processorFor(t.store, { logger: log.logger, onProcessed: (e) => void events.push(e.itemId) }).processDue({ ids });
      assert.deepEqual(results.map((r) => [r.itemId, r.outcome]), ids.map((id, i) => [id, i === 3 ? null : 'imported']));
      // One outcome event each, the committed two included: they were not taken for another's work.
      assert.deepEqual(events, ids);
      assert.match((await getInboxItem(t.store.db, ids[3]!))!.lastError ?? '', /refused at commit/);
      // Its warning names the profile, as every processed line does (it gave the profile's id).
      const warned = log.records.filter((r) => r.item === ids[3] && r.msg === 'processing failed; will retry');
      assert.deepEqual(warned.map((r) => r.profile), ['plain']);
      // Each imported message made its request once: the committed part was not done again.
      for (const id of [ids[0]!, ids[1]!, ids[2]!, ids[4]!]) {
        const made = await t.store.db.selectFrom('messages').select('id').where('inbox_item_id', '=', id).execute();
        assert.equal(made.length, 1, `inbox item ${id}`);
      }
      assert.equal(await requestersNamed('newer@customer.example'), 1);
    } finally {
      await sql`drop trigger refuse_doomed on inbox_items`.execute(t.store.db);
      await sql`drop function refuse_doomed()`.execute(t.store.db);
    }
  });
});
