// Intake and what a sender chooses: a Message-ID or From too long for a PostgreSQL index is stored
// bounded (mail/indexable.ts), still matched exactly; a row the database refuses for any other reason
// fails alone, in a savepoint, and is stored without its labels; one refused even so is an error of
// that message only. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { dialects, openTestStore, type TestDialect, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { intakeBatch, intakeMessage, type BatchResult } from '../../src/sources/intake.js';
import { createProfile } from '../../src/store/profiles.js';
import { listInboxItems, recordOutcome } from '../../src/store/inbox.js';
import { MAX_INDEXED_BYTES } from '../../src/mail/indexable.js';
import type { Db } from '../../src/store/database.js';

// A Message-ID PostgreSQL cannot index: "index row requires 12032 bytes, maximum size is 8191".
const hugeId = () => `${randomBytes(6000).toString('hex')}@example.org`;
const outcomes = (results: BatchResult[]) => results.map((r) => ('error' in r ? `error: ${r.error.message}` : r.inserted));
const warnings = (trace: unknown) => (trace as { warnings?: string[] } | null)?.warnings ?? [];

/** A trigger that refuses inbox rows whose `column` equals `value`: a real refusal by the database. */
async function refuse(db: Db, dialect: TestDialect, name: string, column: 'subject' | 'origin_key', value: string): Promise<void> {
  if (dialect === 'sqlite') {
    await sql.raw(`create trigger ${name} before insert on inbox_items when new.${column} = '${value}'
      begin select raise(abort, 'refused by ${name}'); end`).execute(db);
    return;
  }
  await sql.raw(`create function ${name}() returns trigger language plpgsql as $$
    begin if new.${column} = '${value}' then raise exception 'refused by ${name}'; end if; return new; end $$`).execute(db);
  await sql.raw(`create trigger ${name} before insert on inbox_items for each row execute function ${name}()`).execute(db);
}

for (const dialect of await dialects()) {
  describe(`intake of rows the database would refuse, on ${dialect}`, () => {
    let t: TestStore;
    let n = 0;
    before(async () => {
      t = await openTestStore(dialect);
    });
    after(() => t?.cleanup());
    const newProfile = async () => (await createProfile(t.store.db, { name: `refused-${++n}`, rules: '' })).id;

    test('a 12 KB Message-ID and From are stored bounded with their batch-mates, and matched exactly', async () => {
      const profileId = await newProfile();
      const id = hugeId();
      const from = `${'x'.repeat(12_000)}@example.org`;
      const poison = makeMessage({ subject: 'poison', messageId: id, from });
      const sameId = makeMessage({ subject: 'same id, other bytes', messageId: id });
      // The same first 12,000 characters, another end: another Message-ID.
      const sameStart = makeMessage({ subject: 'same start', messageId: `${id.slice(0, -4)}.net` });
      const results = await intakeBatch(t.store, [
        { content: makeMessage({ subject: 'ok 1' }), originKey: 'h1' }, { content: poison, originKey: 'h2' },
        { content: makeMessage({ subject: 'ok 3' }), originKey: 'h3' }, { content: poison, originKey: 'h4' },
        { content: sameId, originKey: 'h5' }, { content: sameStart, originKey: 'h6' },
      ], { profileId });
      assert.deepEqual(outcomes(results), [true, true, true, true, true, true]);
      const items = await listInboxItems(t.store.db, { profileId });
      const [, stored, , again, reused, other] = items;
      assert.deepEqual(items.map((i) => i.subject), ['ok 1', 'poison', 'ok 3', 'poison', 'same id, other bytes', 'same start']);
      assert.ok(Buffer.byteLength(stored!.messageId!) <= MAX_INDEXED_BYTES && stored!.messageId!.startsWith(id.slice(0, 500)));
      assert.ok(Buffer.byteLength(stored!.fromAddress!) <= MAX_INDEXED_BYTES && stored!.fromAddress!.startsWith('x'.repeat(500)));
      assert.deepEqual(warnings(stored!.trace), []);
      assert.equal(again!.reason, `duplicate of message #${stored!.id}`);
      assert.deepEqual(warnings(reused!.trace), [`Message-ID also used by message #${stored!.id} with different content`]);
      assert.deepEqual([other!.reason, warnings(other!.trace)], [null, []]);

      // One at a time (push, deliver, import: the origin key holds the Message-ID) and a later batch match it too.
      const single = await intakeMessage(t.store, poison, { profileId });
      assert.equal(single.item.reason, `duplicate of message #${stored!.id}`);
      assert.ok(Buffer.byteLength(single.item.originKey) < 1100);
      const later = await intakeBatch(t.store, [{ content: poison, originKey: 'h7' }], { profileId });
      assert.equal('item' in later[0]! && later[0].item.reason, `duplicate of message #${stored!.id}`);

      // Processing records the parsed Message-ID and sender: bounded the same way.
      assert.ok(await recordOutcome(t.store.db, stored!.id, {
        outcome: 'ignored', reason: 'test', ruleLine: null, actions: [], created: {}, trace: null, messageId: id, fromAddress: from,
      }));
      const processed = (await listInboxItems(t.store.db, { profileId })).find((i) => i.id === stored!.id)!;
      assert.deepEqual([processed.messageId, processed.fromAddress], [stored!.messageId, stored!.fromAddress]);
    });

    test('a row the database refuses is stored without its labels, the refusal in its trace; the others are stored', async () => {
      const profileId = await newProfile();
      await refuse(t.store.db, dialect, 'refuse_subject', 'subject', 'refused subject');
      try {
        const results = await intakeBatch(t.store, [
          { content: makeMessage({ subject: 'ok 1' }), originKey: 'r1' },
          { content: makeMessage({ subject: 'refused subject', messageId: 'refused@x' }), originKey: 'r2' },
          { content: makeMessage({ subject: 'ok 3' }), originKey: 'r3' },
        ], { profileId, acknowledge: true });
        assert.deepEqual(outcomes(results), [true, true, true]);
        const items = await listInboxItems(t.store.db, { profileId });
        assert.deepEqual(items.map((i) => [i.originKey, i.subject, i.messageId, i.state, i.ackState]), [
          ['r1', 'ok 1', items[0]!.messageId, 'pending', 'pending'],
          ['r2', null, null, 'pending', 'pending'],
          ['r3', 'ok 3', items[2]!.messageId, 'pending', 'pending'],
        ]);
        assert.deepEqual(warnings(items[1]!.trace),
          ['stored without its Message-ID, Subject and From: the database refused them (refused by refuse_subject)']);
      } finally {
        await sql.raw('drop trigger refuse_subject' + (dialect === 'postgres' ? ' on inbox_items' : '')).execute(t.store.db);
      }
    });

    test('a row refused even without its labels fails alone: no row, an error, and beforeCommit sees it', async () => {
      const profileId = await newProfile();
      await refuse(t.store.db, dialect, 'refuse_key', 'origin_key', 'k2');
      try {
        let seen: string[] = [];
        const results = await intakeBatch(t.store, [
          { content: makeMessage({ subject: 'ok 1' }), originKey: 'k1' },
          { content: makeMessage({ subject: 'refused' }), originKey: 'k2' },
          { content: makeMessage({ subject: 'ok 3' }), originKey: 'k3' },
        ], {
          profileId,
          beforeCommit: async (_db, done) => void (seen = done.map((r) => ('error' in r ? 'error' : 'stored'))),
        });
        assert.deepEqual(seen, ['stored', 'error', 'stored']);
        assert.deepEqual(outcomes(results),
          [true, "error: the database refused this message's inbox row: refused by refuse_key", true]);
        assert.deepEqual((await listInboxItems(t.store.db, { profileId })).map((i) => i.subject), ['ok 1', 'ok 3']);
        // One message at a time, the refusal is thrown as before.
        await assert.rejects(intakeMessage(t.store, makeMessage({ subject: 'alone' }), { profileId, originKey: 'k2' }), /refused by refuse_key/);
      } finally {
        await sql.raw('drop trigger refuse_key' + (dialect === 'postgres' ? ' on inbox_items' : '')).execute(t.store.db);
      }
    });
  });
}
