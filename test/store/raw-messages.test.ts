// Where raw messages are kept (src/store/raw-messages.ts), on SQLite and PostgreSQL: up to
// RAW_IN_DATABASE_MAX_BYTES in the database with the inbox row, byte for byte and with no file of its
// own; above it a blob file; a stream is measured without holding a large one whole; readers find the
// bytes either way, including messages stored as files before the database kept any.
import assert from 'node:assert/strict';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { intakeMessage } from '../../src/sources/intake.js';
import { BlobStore, refOf } from '../../src/store/blobs.js';
import { getInboxItem, insertInboxItem } from '../../src/store/inbox.js';
import { createProfile } from '../../src/store/profiles.js';
import { addProject } from '../../src/tracker/builtin/admin.js';
import { RAW_IN_DATABASE_MAX_BYTES, RawMessages } from '../../src/store/raw-messages.js';
import { syncCounts, syncsSince } from '../../src/store/sync-counts.js';
import { makeMessage } from '../support/messages.js';
import { processorFor } from '../support/processor.js';
import { rawInDatabase, storedRaw } from '../support/raw-bytes.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

/** A message of exactly `size` bytes (headers, then a body of filler). */
function messageOfSize(size: number, subject = 'Sized'): Buffer {
  const head = Buffer.from(`From: a@cust.example\r\nTo: support@mailbind.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}-${size}@x>\r\n\r\n`);
  return Buffer.concat([head, Buffer.alloc(size - head.length, 'y')]);
}

/** A message stream that never ends by itself (a server sending a large message), counting what it served. */
function endless(): Readable & { served: number } {
  const head = Buffer.from('From: a@cust.example\r\nSubject: Endless\r\n\r\n');
  const stream = new Readable({
    read() {
      const chunk = stream.served === 0 ? head : Buffer.alloc(16 * 1024, 'z');
      stream.served += chunk.length;
      this.push(chunk);
    },
  }) as Readable & { served: number };
  stream.served = 0;
  return stream;
}

/** A stream of `content` in chunks of `chunk` bytes. */
const inChunks = (content: Buffer, chunk: number) =>
  Readable.from(Array.from({ length: Math.ceil(content.length / chunk) }, (_, i) => content.subarray(i * chunk, (i + 1) * chunk)));

for (const dialect of await dialects()) {
  describe(`raw messages on ${dialect}`, () => {
    let t: TestStore;
    let profileId: number;
    let blobs: BlobStore;
    before(async () => {
      t = await openTestStore(dialect);
      await addProject(t.store.db, { name: 'General' });
      profileId = (await createProfile(t.store.db, { name: 'raw', rules: 'then attach to project 1 and create request in project 1' })).id;
      blobs = new BlobStore(t.store.dataDir);
    });
    after(() => t?.cleanup());

    test('a small message is kept in the database with its row, every byte as it came (NUL and 0xFF too), with no file and no file sync', async () => {
      const bytes = Buffer.concat([makeMessage({ subject: 'Every byte' }), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);
      const before = syncCounts();
      const { item } = await intakeMessage(t.store, bytes, { profileId });
      assert.deepEqual([syncsSince(before).fileSyncs, syncsSince(before).dirSyncs], [0, 0]);
      assert.equal(item.rawRef, refOf(bytes));
      assert.equal(await rawInDatabase(t.store, item), true);
      assert.equal(existsSync(blobs.pathOf(item.rawRef)), false, 'no blob file');
      assert.deepEqual(await storedRaw(t.store, item), bytes);
    });

    test('up to the limit in the database, one byte more a blob file, given whole or as a stream', async () => {
      for (const [size, inDatabase] of [[RAW_IN_DATABASE_MAX_BYTES, true], [RAW_IN_DATABASE_MAX_BYTES + 1, false]] as const) {
        for (const given of ['buffer', 'stream'] as const) {
          const bytes = messageOfSize(size, `Limit ${given}`);
          const { item } = await intakeMessage(t.store, given === 'buffer' ? bytes : inChunks(bytes, 1000), { profileId });
          const where = `${size} bytes as a ${given}`;
          assert.equal(await rawInDatabase(t.store, item), inDatabase, where);
          assert.equal(existsSync(blobs.pathOf(item.rawRef)), !inDatabase, where);
          assert.deepEqual(await storedRaw(t.store, item), bytes, where);
          assert.deepEqual([item.rawSize, item.subject], [size, `Limit ${given}`], where);
        }
      }
    });

    test('a large stream goes to its file in order, the part read to measure it first', async () => {
      const bytes = Buffer.concat([messageOfSize(2000, 'Streamed'), Buffer.from(Array.from({ length: 300_000 }, (_, i) => 97 + (i % 26)))]);
      const { item } = await intakeMessage(t.store, inChunks(bytes, 4093), { profileId });
      assert.equal(await rawInDatabase(t.store, item), false);
      assert.deepEqual(await new BlobStore(t.store.dataDir).read(item.rawRef), bytes);
    });

    test('a large stream whose file cannot be stored fails, and its source is released (not left holding its connection)', async () => {
      const tmp = join(t.store.dataDir, 'blobs', 'tmp');
      renameSync(tmp, `${tmp}.away`);
      writeFileSync(tmp, 'in the way');
      try {
        const source = endless();
        await assert.rejects(intakeMessage(t.store, source, { profileId }), /EEXIST|ENOTDIR/);
        assert.equal(source.destroyed, true);
        assert.ok(source.served < 1 << 20, `read ${source.served} bytes of a message nobody wanted`);
      } finally {
        rmSync(tmp);
        renameSync(`${tmp}.away`, tmp);
      }
    });

    test('parsing takes the database\'s bytes, each once; files are left to the parser', async () => {
      const inDatabase = (await intakeMessage(t.store, makeMessage({ subject: 'From the database' }), { profileId })).item;
      const inFile = (await intakeMessage(t.store, messageOfSize(RAW_IN_DATABASE_MAX_BYTES + 10, 'In a file'), { profileId })).item;
      const raws = new RawMessages(t.store.db, blobs);
      const found = await raws.forParsing([inDatabase, inFile, inDatabase]);
      assert.deepEqual([...found.keys()], [inDatabase.rawRef]);
      assert.deepEqual(found.get(inDatabase.rawRef), await storedRaw(t.store, inDatabase));
    });

    test('a message stored as a file before the database kept raw messages is still processed and read', async () => {
      const bytes = makeMessage({ subject: 'Stored before 019' });
      const saved = await blobs.save(bytes);
      const { item } = await insertInboxItem(t.store.db, { profileId, originKey: 'from-before', rawRef: saved.ref, rawSize: saved.size, subject: 'Stored before 019' });
      assert.equal(await rawInDatabase(t.store, item), false);
      assert.deepEqual(await storedRaw(t.store, item), bytes);
      const [result] = await processorFor(t.store).processDue({ ids: [item.id] });
      assert.equal(result?.outcome, 'imported');
    });

    test('when the database cannot give the bytes, the attempt fails with why and the message is retried', async () => {
      const { item } = await intakeMessage(t.store, makeMessage({ subject: 'Table away' }), { profileId });
      await sql`alter table raw_messages rename to raw_messages_away`.execute(t.store.db);
      try {
        const [result] = await processorFor(t.store).processDue({ ids: [item.id] });
        assert.equal(result?.outcome, null);
        assert.match(result?.reason ?? '', /^will retry \(attempt 1\): .*raw_messages/);
      } finally {
        await sql`alter table raw_messages_away rename to raw_messages`.execute(t.store.db);
      }
      await t.store.db.updateTable('inbox_items').set({ next_attempt_at: new Date(0).toISOString() }).where('id', '=', item.id).execute();
      const [retried] = await processorFor(t.store).processDue({ ids: [item.id] });
      assert.equal(retried?.outcome, 'imported');
      assert.equal((await getInboxItem(t.store.db, item.id))?.attempts, 1);
    });
  });
}
