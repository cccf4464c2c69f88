// A known sender's requester is taken from the snapshot only where nothing can change it before the
// message is recorded (issue 14 saved two statements per message so). On SQLite the group transaction
// holds the write lock; on PostgreSQL (READ COMMITTED, no row lock) an admin may rename or delete the
// requester between the snapshot and the write: the message must then go to the requester its sender
// has now, as it did when every requester was looked up by address at write time.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { processorFor } from '../support/processor.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { createProfile } from '../../src/store/profiles.js';
import { addProject, addRequester, deleteRequester, updateRequester } from '../../src/tracker/builtin/admin.js';
import { BuiltinTracker } from '../../src/tracker/builtin/index.js';
import type { Db } from '../../src/store/database.js';
import type { SnapshotRequest } from '../../src/tracker/port.js';

/** The builtin tracker, with `change` committed by another connection right after the first snapshot is read. */
class ChangedAfterSnapshot extends BuiltinTracker {
  private changed = false;

  constructor(db: Db, private readonly change: () => Promise<unknown>) {
    super(db);
  }

  override async snapshot(request: SnapshotRequest, transaction?: Db) {
    const snapshot = await super.snapshot(request, transaction);
    if (!this.changed) {
      this.changed = true;
      await this.change();
    }
    return snapshot;
  }
}

// CI requires PostgreSQL (dialects() throws there when it is missing); elsewhere the suite is skipped without it.
const onPostgres = (await dialects()).includes('postgres');

describe('a requester changed between the snapshot and the write, on PostgreSQL', { skip: !onPostgres && 'PostgreSQL is not reachable' }, () => {
  let t: TestStore;
  let profileId: number;
  before(async () => {
    t = await openTestStore('postgres');
    await addProject(t.store.db, { name: 'General' });
    profileId = (await createProfile(t.store.db, { name: 'support', rules: 'then create request in project 1\n' })).id;
  });
  after(() => t.cleanup());

  async function processFrom(email: string, change: (requesterId: number) => Promise<unknown>) {
    const requester = await addRequester(t.store.db, { email, name: 'Known' });
    const id = (await intakeMessage(t.store, makeMessage({ from: email, subject: 'Hello' }), { profileId })).item.id;
    const tracker = new ChangedAfterSnapshot(t.store.db, () => change(Number(requester.id)));
    const [result] = await processorFor(t.store, { tracker }).processDue({ ids: [id] });
    const row = await t.store.db.selectFrom('messages').innerJoin('requesters', 'requesters.id', 'messages.requester_id')
      .select(['requesters.id', 'requesters.email']).where('messages.inbox_item_id', '=', id).executeTakeFirst();
    return { result: result!, row, requesterId: Number(requester.id) };
  }

  test('renamed: the message goes to a requester with the sender\'s address, not to the renamed one', async () => {
    const { result, row, requesterId } = await processFrom('ann@customer.example', (rid) => updateRequester(t.store.db, rid, { email: 'renamed@customer.example' }));
    assert.equal(result.outcome, 'imported', result.error ?? result.reason ?? '');
    assert.equal(row?.email, 'ann@customer.example');
    assert.notEqual(row?.id, requesterId);
  });

  test('deleted: the message is imported with the sender as a new requester, not sent to a retry', async () => {
    const { result, row } = await processFrom('bob@customer.example', (rid) => deleteRequester(t.store.db, rid));
    assert.equal(result.outcome, 'imported', result.error ?? result.reason ?? '');
    assert.equal(row?.email, 'bob@customer.example');
    assert.equal(result.created.requesters.length, 1);
  });
});
