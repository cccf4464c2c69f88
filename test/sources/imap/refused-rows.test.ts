// A message whose inbox row the database would refuse, inside an IMAP batch: it no longer holds up its
// batch-mates, poll after poll. A 12 KB Message-ID (PostgreSQL cannot index it) is stored like any other
// message; a row refused even without its labels fails alone and holds the cursor below it only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { makeMessage } from '../../support/messages.js';
import { dialects, openTestStore, type TestStore } from '../../support/store.js';
import { readCursor } from '../../../src/sources/imap/cursor.js';
import { ImapSource } from '../../../src/sources/imap/index.js';
import { getStatus } from '../../../src/sources/status.js';
import { listInboxItems } from '../../../src/store/inbox.js';
import { context, newProfile, settingsFor, sourceOptions, users } from './helpers.js';

const hugeId = () => `${randomBytes(6000).toString('hex')}@example.org`;
const skip = dovecotSkip();

for (const dialect of await dialects()) {
  describe(`IMAP batches with a row the database would refuse, on ${dialect}`, { skip }, () => {
    let dc: Dovecot;
    let t: TestStore;
    before(async () => {
      [dc, t] = await Promise.all([startDovecot({ users: users('p', 2) }), openTestStore(dialect)]);
    });
    after(async () => {
      await Promise.all([dc?.stop(), t?.cleanup()]);
    });
    const cursorOf = async (profileId: number) => readCursor((await getStatus(t.store.db, profileId)).cursor)?.highestUid;

    test('a 12 KB Message-ID among 4 good messages: all 5 stored in one batch, the cursor past all', async () => {
      const raws = [1, 2, 3, 4, 5].map((i) => makeMessage({ subject: `m${i}`, ...(i === 2 ? { messageId: hugeId() } : {}) }));
      for (const raw of raws) await dc.deliver('p1', raw);
      const profile = await newProfile(t.store);
      const report = await new ImapSource(sourceOptions(dc)).poll(context(t.store, profile, settingsFor(dc, 'p1')));
      assert.deepEqual([report.stored, report.failed], [5, []]);
      const items = await listInboxItems(t.store.db, { profileId: profile.id });
      assert.deepEqual(items.map((i) => i.subject), ['m1', 'm2', 'm3', 'm4', 'm5']);
      assert.ok(items.every((i) => i.state === 'pending' && i.trace === null), 'stored as any other message');
      assert.equal(await cursorOf(profile.id), 5);
    });

    test('a row refused even without its labels fails alone: its batch-mates are stored, the cursor waits below it', async () => {
      for (const i of [1, 2, 3, 4, 5]) await dc.deliver('p2', makeMessage({ subject: `m${i}` }));
      const profile = await newProfile(t.store);
      const source = new ImapSource(sourceOptions(dc));
      // The database refuses UID 3's row, whatever its labels: a trigger on its origin key.
      const first = await source.poll(context(t.store, profile, settingsFor(dc, 'p2')));
      assert.equal(first.stored, 5, 'control: the trigger below is what refuses');
      const again = await newProfile(t.store);
      const refusedKey = `imap:INBOX:${(await getStatus(t.store.db, profile.id)).cursor!.uidValidity}:3`;
      assert.ok((await listInboxItems(t.store.db, { profileId: profile.id }))[2]!.originKey === refusedKey, refusedKey);
      if (dialect === 'sqlite') {
        await sql.raw(`create trigger refuse_uid3 before insert on inbox_items when new.origin_key = '${refusedKey}' and new.profile_id = ${again.id}
          begin select raise(abort, 'refused by refuse_uid3'); end`).execute(t.store.db);
      } else {
        await sql.raw(`create function refuse_uid3() returns trigger language plpgsql as $$ begin
          if new.origin_key = '${refusedKey}' and new.profile_id = ${again.id} then raise exception 'refused by refuse_uid3'; end if;
          return new; end $$`).execute(t.store.db);
        await sql.raw('create trigger refuse_uid3 before insert on inbox_items for each row execute function refuse_uid3()').execute(t.store.db);
      }
      try {
        for (let poll = 1; poll <= 2; poll++) {
          const report = await source.poll(context(t.store, again, settingsFor(dc, 'p2')));
          assert.deepEqual([report.stored, report.failed.map((f) => f.key)], [poll === 1 ? 4 : 0, [refusedKey]]);
          assert.match(report.failed[0]!.error, /^the database refused this message's inbox row: refused by refuse_uid3/);
          assert.deepEqual((await listInboxItems(t.store.db, { profileId: again.id })).map((i) => i.subject), ['m1', 'm2', 'm4', 'm5']);
          assert.equal(await cursorOf(again.id), 2, 'the cursor stays below the refused message');
        }
      } finally {
        await sql.raw(`drop trigger refuse_uid3${dialect === 'postgres' ? ' on inbox_items' : ''}`).execute(t.store.db);
      }
      const healed = await source.poll(context(t.store, again, settingsFor(dc, 'p2')));
      assert.deepEqual([healed.stored, healed.failed], [1, []]);
      assert.deepEqual((await listInboxItems(t.store.db, { profileId: again.id })).map((i) => i.subject), ['m1', 'm2', 'm4', 'm5', 'm3']);
      assert.equal(await cursorOf(again.id), 5);
    });
  });
}
