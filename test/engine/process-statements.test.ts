// What processing one message costs in statements (issue 14): every statement is query building and an
// execution on the processing thread, and a first fetch of 2,000 messages sent 20.6 per message. The
// directory (projects, staff, teams) is read once per group transaction (on PostgreSQL too, where 20
// messages from known senders are one transaction), a reply's thread with one statement, and a requester
// the snapshot found is not looked up again on SQLite, read once by address on PostgreSQL, and inserted
// on neither. Counted, not timed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { processorFor } from '../support/processor.js';
import { countedStore, StatementCounter } from '../support/statements.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { createProfile } from '../../src/store/profiles.js';
import { addProject, addTeam, addUser } from '../../src/tracker/builtin/admin.js';

for (const dialect of await dialects()) {
  describe(`statements per processed message on ${dialect}`, () => {
    let t: TestStore;
    let profileId: number;

    before(async () => {
      t = await openTestStore(dialect);
      await addProject(t.store.db, { name: 'General' });
      await addTeam(t.store.db, { name: 'Support' });
      await addUser(t.store.db, { email: 'agent@mailbind.example', name: 'Agent' });
      profileId = (await createProfile(t.store.db, { name: 'support', rules: 'then attach to project 1 and create request in project 1\n' })).id;
    });
    after(() => t.cleanup());

    async function store(raws: Buffer[]): Promise<number[]> {
      const ids: number[] = [];
      for (const raw of raws) ids.push((await intakeMessage(t.store, raw, { profileId })).item.id);
      return ids;
    }

    test('20 messages from senders already known: the directory once per transaction, nothing more per message than its own work', async () => {
      const senders = ['ann@customer.example', 'bob@customer.example'];
      await processorFor(t.store).processDue({ ids: await store(senders.map((from) => makeMessage({ from, subject: 'First' }))) });
      const ids = await store(Array.from({ length: 20 }, (_, i) => makeMessage({ from: senders[i % 2]!, subject: `Question ${i}` })));

      const counter = new StatementCounter();
      const results = await processorFor(countedStore(t.store, counter)).processDue({ ids });
      assert.deepEqual(results.map((r) => r.outcome), ids.map(() => 'imported'));
      const seen = JSON.stringify(Object.fromEntries(counter.counts));

      for (const table of ['projects', 'users', 'teams']) assert.equal(counter.count(`select ${table}`), 1, `select ${table}: ${seen}`);
      // The thread lookup (three ways a message belongs to an item) is one statement per message.
      assert.equal(counter.count('select messages'), 20, seen);
      // The snapshot found both senders. On SQLite (the group holds the write lock) the writer takes them as
      // they are; on PostgreSQL an admin may have renamed one meanwhile, so it reads by address once more
      // (requester-changed-meanwhile.test.ts), and inserts nothing.
      assert.equal(counter.count('select requesters'), dialect === 'sqlite' ? 20 : 40, seen);
      assert.equal(counter.count('insert requesters'), 0, seen);
      // Each message's own work: its message row, its project, its request with requester and link, its outcome.
      for (const write of ['insert messages', 'insert message_projects', 'insert items', 'insert item_requesters', 'insert item_messages']) {
        assert.equal(counter.count(write), 20, `${write}: ${seen}`);
      }
      const perMessage = counter.total / 20;
      // BEGIN and COMMIT are not counted (Kysely sends them past the plugins): one pair for the 20.
      assert.ok(perMessage <= (dialect === 'sqlite' ? 12 : 13), `${perMessage} statements per message: ${seen}`);
    });

    test('a new sender is inserted once, and the next message from them finds the requester', async () => {
      const ids = await store([makeMessage({ from: 'new@customer.example', subject: 'Hello' }), makeMessage({ from: 'new@customer.example', subject: 'Again' })]);
      const counter = new StatementCounter();
      const results = await processorFor(countedStore(t.store, counter)).processDue({ ids });
      assert.deepEqual(results.map((r) => r.created.requesters.length), [1, 0]);
      // The second message's snapshot finds the requester the first one made, and the writer inserts nothing.
      assert.equal(counter.count('insert requesters'), 1, JSON.stringify(Object.fromEntries(counter.counts)));
    });
  });
}
