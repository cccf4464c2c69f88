// A processor left running while a newer mailbind migrates the database (an upgrade that did not stop
// every process) processes nothing: the mail waits, pending with no attempt spent, for a process that
// can read what the new version stores, and the error says why. On SQLite and PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { intakeMessage } from '../../src/sources/intake.js';
import { unknownMigrations } from '../../src/store/database.js';
import { getInboxItem } from '../../src/store/inbox.js';
import { createProfile } from '../../src/store/profiles.js';
import { addProject } from '../../src/tracker/builtin/admin.js';
import { makeMessage } from '../support/messages.js';
import { processorFor } from '../support/processor.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const FUTURE = '999-from-a-newer-version';

for (const dialect of await dialects()) {
  describe(`a processor older than its database (${dialect})`, () => {
    let t: TestStore;
    let profileId: number;
    before(async () => {
      t = await openTestStore(dialect);
      await addProject(t.store.db, { name: 'General' });
      profileId = (await createProfile(t.store.db, { name: 'support', rules: 'then attach to project 1 and create request in project 1' })).id;
    });
    after(() => t?.cleanup());

    test('every migration of this version is known', async () => {
      assert.deepEqual(await unknownMigrations(t.store), []);
    });

    test('refuses to process, naming the newer migration; the message stays pending with no attempt, and is processed by a current one', async () => {
      const { item } = await intakeMessage(t.store, makeMessage({ subject: 'Arrived after the upgrade' }), { profileId });
      await sql`insert into kysely_migration (name, timestamp) values (${FUTURE}, ${new Date().toISOString()})`.execute(t.store.db);
      try {
        const old = processorFor(t.store);
        const refusal = new RegExp(`older than its database, which a newer version has migrated \\(${FUTURE}\\): it processes nothing`);
        await assert.rejects(old.processDue({ ids: [item.id] }), refusal);
        await assert.rejects(old.processDue({ ids: [item.id] }), refusal, 'and on every pass after');
        const waiting = await getInboxItem(t.store.db, item.id);
        assert.deepEqual([waiting?.state, waiting?.outcome, waiting?.attempts, waiting?.claimedBy], ['pending', null, 0, null]);
      } finally {
        await sql`delete from kysely_migration where name = ${FUTURE}`.execute(t.store.db);
      }
      const [result] = await processorFor(t.store).processDue({ ids: [item.id] });
      assert.equal(result?.outcome, 'imported');
    });
  });
}
