// Copies of the same bytes taken at the same moment under different origin keys (two workers, a
// burst of delivers): exactly one is new mail, every other one is a duplicate naming it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { createProfile } from '../../src/store/profiles.js';
import { insertInboxItem } from '../../src/store/inbox.js';

for (const dialect of await dialects()) {
  describe(`concurrent copies at intake on ${dialect}`, () => {
    let t: TestStore;
    let profileId: number;
    before(async () => {
      t = await openTestStore(dialect);
      profileId = (await createProfile(t.store.db, { name: 'race', rules: '' })).id;
    });
    after(() => t.cleanup());

    test('ten copies at once: one new, nine duplicates of it', async () => {
      const copies = await Promise.all(Array.from({ length: 10 }, (_, i) =>
        insertInboxItem(t.store.db, { profileId, originKey: `uid-${i}`, rawRef: 'c'.repeat(64), rawSize: 5, messageId: 'same@x' })));
      const fresh = copies.filter((c) => c.item.outcome === null);
      assert.equal(fresh.length, 1, `one new item, not ${fresh.length}`);
      const first = fresh[0]!.item.id;
      for (const copy of copies.filter((c) => c.item.outcome !== null)) assert.equal(copy.item.reason, `duplicate of message #${first}`);
    });
  });
}
