// What the messages of a processing group share (engine/group-context.ts): a profile read once for the
// whole group. A read that fails (a moment's database error) costs the message that asked at most its
// own attempt; the messages after it read again instead of failing on the kept failure one by one.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { processorFor } from '../support/processor.js';
import { StatementCounter } from '../support/statements.js';
import { createProfile } from '../../src/store/profiles.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { getInboxItem } from '../../src/store/inbox.js';
import { addProject } from '../../src/tracker/builtin/admin.js';
import type { Store } from '../../src/store/database.js';

for (const dialect of await dialects()) {
  describe(`a processing group's shared reads on ${dialect}`, () => {
    let t: TestStore;
    let profileId: number;

    before(async () => {
      t = await openTestStore(dialect);
      await addProject(t.store.db, { name: 'General' });
      profileId = (await createProfile(t.store.db, { name: 'support', rules: 'then attach to project 1 and create request in project 1\n' })).id;
    });
    after(() => t.cleanup());

    test('one failed read of the profile is not kept for the rest of the group', async () => {
      const ids: number[] = [];
      for (const n of [1, 2, 3]) {
        ids.push((await intakeMessage(t.store, makeMessage({ messageId: `shared-read-${n}@customer.example`, subject: `Question ${n}` }), { profileId })).item.id);
      }
      // The first read of the profile inside the group fails once, as a dropped connection would.
      let failures = 0;
      const faulty = new StatementCounter((name) => {
        if (name === 'select profiles' && failures === 0) {
          failures++;
          throw new Error('connection reset while reading the profile');
        }
      });
      const store: Store = { ...t.store, db: t.store.db.withPlugin(faulty) };
      const results = await processorFor(store).processDue({ ids });
      assert.equal(failures, 1, 'the fault was met');
      assert.deepEqual(results.map((r) => r.outcome), ['imported', 'imported', 'imported']);
      for (const id of ids) assert.equal((await getInboxItem(t.store.db, id))!.attempts, 0, `message ${id} spent no attempt`);
    });
  });
}
