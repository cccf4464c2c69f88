// The builtin tracker reads its directory (projects, staff, teams) once per transaction (issue 14): the
// messages of a processing group share it. It must not outlive that transaction: a project, user or
// team added afterwards is in the next transaction's snapshots.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, openTestStore, type TestStore } from '../../support/store.js';
import { countedStore, StatementCounter } from '../../support/statements.js';
import { addProject, addTeam, addUser } from '../../../src/tracker/builtin/admin.js';
import { BuiltinTracker } from '../../../src/tracker/builtin/index.js';
import type { SnapshotRequest } from '../../../src/tracker/port.js';

const request: SnapshotRequest = { emails: ['agent@mailbind.example'], itemIds: [], messageIds: [] };

for (const dialect of await dialects()) {
  describe(`the tracker's directory on ${dialect}`, () => {
    let t: TestStore;
    before(async () => (t = await openTestStore(dialect)));
    after(() => t.cleanup());

    test('read once for the snapshots of one transaction, and again by the next transaction', async () => {
      const counter = new StatementCounter();
      const db = countedStore(t.store, counter).db;
      const tracker = new BuiltinTracker(db);
      await db.transaction().execute(async (trx) => {
        const first = await tracker.snapshot(request, trx);
        const second = await tracker.snapshot(request, trx);
        assert.equal(first.projectByCode('LATE'), undefined);
        assert.equal(second.projectByCode('LATE'), undefined);
      });
      assert.deepEqual(['projects', 'users', 'teams'].map((table) => counter.count(`select ${table}`)), [1, 1, 1]);

      const project = await addProject(t.store.db, { name: 'Late', code: 'LATE' });
      const user = await addUser(t.store.db, { email: 'agent@mailbind.example', name: 'Agent' });
      const team = await addTeam(t.store.db, { name: 'Late team' });
      const next = await db.transaction().execute((trx) => tracker.snapshot(request, trx));
      assert.equal(next.projectByCode('LATE')?.id, Number(project.id));
      assert.equal(next.staffByEmail('agent@mailbind.example')?.id, Number(user.id));
      assert.equal(next.teamExists(Number(team.id)), true);
      // Outside a transaction every snapshot reads afresh (rules test, the preview).
      counter.reset();
      await tracker.snapshot(request);
      await tracker.snapshot(request);
      assert.equal(counter.count('select projects'), 2);
    });
  });
}
