// A full disk under the SQLite store (src/store/full-disk.ts, sqlite-dialect.ts point 5): on a real full
// file system (a tmpfs filled to the brim) every error a person reads names the full disk and its
// folder, whether it came from opening the database, from a statement, from a commit, or from inside a
// savepoint after SQLite rolled the whole transaction back by itself; never "no transaction is active"
// or "no such savepoint" in its place, and nothing runs outside the transaction meanwhile. Once there is
// room again the same store writes as before.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { BlobBatch } from '../../src/store/blob-batch.js';
import { BlobStore } from '../../src/store/blobs.js';
import { withFullDiskNamed } from '../../src/store/full-disk.js';
import { openStore, StoreOpenError, type Store } from '../../src/store/database.js';
import { inSavepoint } from '../../src/store/savepoint.js';
import { mountTmpfs, tmpfsSkip, type Tmpfs } from '../support/tmpfs.js';

const FULL = /the disk holding \S+ is full \(\d+ (bytes|KiB) free\)/;
/** `text` matched as it is in a RegExp (a temp folder's path). */
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const MASKING = /no transaction is active|no such savepoint/;

/** Bytes that cannot fit in what is left, as a raw message would be kept. */
const tooLarge = () => Buffer.alloc(512 * 1024, 'x');

async function storedRefs(store: Store, ref: string): Promise<number> {
  const rows = await sql<{ n: number }>`select count(*) as n from raw_messages where ref = ${ref}`.execute(store.db);
  return Number(rows.rows[0]!.n);
}

const failure = (work: Promise<unknown>): Promise<unknown> => work.then(() => undefined, (error: unknown) => error);

describe('a full disk under the SQLite store', { skip: tmpfsSkip() }, () => {
  let fs: Tmpfs;
  let store: Store;
  let filler: string;

  before(async () => {
    fs = mountTmpfs(3 * 1024 * 1024);
    store = await openStore({ dataDir: join(fs.dir, 'data') });
    // Room enough for SQLite to go on reading, not for the next large write.
    filler = fs.fillLeaving(128 * 1024);
  });
  after(async () => {
    try {
      await store?.close();
    } finally {
      fs?.unmount();
    }
  });

  test('a statement that finds no room says the disk is full, names its folder, and keeps SQLite\'s code', async () => {
    const error = await failure(sql`insert into raw_messages (ref, bytes) values (${'one'}, ${tooLarge()})`.execute(store.db));
    assert.ok(error instanceof Error, 'the write failed');
    assert.match(error.message, FULL);
    assert.match(error.message, new RegExp(`the disk holding ${literally(join(fs.dir, 'data'))} is full`));
    assert.match(String((error as { code?: unknown }).code), /^SQLITE_(FULL|IOERR)/);
  });

  test('a commit that cannot be written fails with the full disk, not with the rollback after it', async () => {
    // SQLite keeps the transaction's pages in its cache and writes them to the WAL at the commit, which
    // fails; SQLite then rolls the transaction back by itself, and the caller's rollback finds none.
    const error = await failure(store.db.transaction().execute(async (trx) => {
      await sql`insert into raw_messages (ref, bytes) values (${'two'}, ${tooLarge()})`.execute(trx);
    }));
    assert.ok(error instanceof Error, 'the transaction failed');
    assert.match(error.message, FULL);
    assert.doesNotMatch(error.message, MASKING);
    assert.equal(await storedRefs(store, 'two'), 0, 'nothing of it stored');
  });

  test('a part of a transaction that cannot be written: its savepoint\'s rollback says the full disk, and nothing runs outside the transaction', async () => {
    // A small page cache spills the part's pages to the WAL while it runs: the statement itself fails,
    // and SQLite rolls back the whole transaction, savepoint and all. (cache_size takes effect when its
    // statement is prepared, and each text here is prepared once: the store's statement cache.)
    const cacheSize = Number((await sql<{ cache_size: number }>`pragma cache_size`.execute(store.db)).rows[0]!.cache_size);
    await sql.raw('pragma cache_size = 8').execute(store.db);
    try {
      let afterwards: unknown;
      const error = await failure(store.db.transaction().execute(async (trx) => {
        await sql`insert into raw_messages (ref, bytes) values (${'before'}, ${Buffer.from('fits')})`.execute(trx);
        const part = await inSavepoint(trx, () => sql`insert into raw_messages (ref, bytes) values (${'three'}, ${tooLarge()})`.execute(trx))
          .catch((e: unknown) => ({ refused: e as Error }));
        // A caller that goes on after a refused part: with SQLite's transaction gone, this statement
        // would run on its own and commit outside the transaction.
        afterwards = await failure(sql`insert into raw_messages (ref, bytes) values (${'after'}, ${Buffer.from('fits')})`.execute(trx));
        if ('refused' in part) throw part.refused;
      }));
      assert.ok(error instanceof Error, 'the transaction failed');
      assert.match(error.message, FULL);
      assert.doesNotMatch(error.message, MASKING);
      assert.ok(afterwards instanceof Error && FULL.test(afterwards.message), `the statement after it failed as the transaction did (${String(afterwards)})`);
      assert.equal(await storedRefs(store, 'after'), 0, 'never written outside the transaction');
      assert.equal(await storedRefs(store, 'before'), 0, 'rolled back with the rest');
    } finally {
      await sql.raw(`pragma cache_size = ${cacheSize}`).execute(store.db);
    }
  });

  test('with room again, the same store writes', async () => {
    rmSync(filler);
    await sql`insert into raw_messages (ref, bytes) values (${'roomy'}, ${tooLarge()})`.execute(store.db);
    assert.equal(await storedRefs(store, 'roomy'), 1);
    filler = fs.fillLeaving(128 * 1024);
  });
});

describe('opening a store on a full disk', { skip: tmpfsSkip() }, () => {
  let fs: Tmpfs;
  before(() => {
    fs = mountTmpfs(3 * 1024 * 1024);
  });
  after(() => fs?.unmount());

  test('a database that exists: SQLite says only "disk I/O error" (it cannot grow its -shm file), the store names the full disk', async () => {
    // Made and closed while there is room: closing the last connection removes its -wal and -shm
    // files, which opening must make again.
    const dataDir = join(fs.dir, 'existing');
    await (await openStore({ dataDir })).close();
    const nothingLeft = fs.fillLeaving(0);
    try {
      const error = await failure(openStore({ dataDir }).then((store) => store.close()));
      assert.ok(error instanceof StoreOpenError, `refused (${String(error)})`);
      assert.match(error.message, new RegExp(`^cannot open the database ${literally(dataDir)}/mailbind\\.sqlite: the disk holding ${literally(dataDir)} is full \\(\\d+ (bytes|KiB) free\\): disk I/O error$`));
      assert.match(String((error.cause as { code?: unknown } | undefined)?.code), /^SQLITE_IOERR/);
    } finally {
      rmSync(nothingLeft);
    }
  });

  test('a new database: wherever its making fails, the full disk is named', async () => {
    const nothingLeft = fs.fillLeaving(0);
    try {
      const dataDir = join(fs.dir, 'new');
      const error = await failure(openStore({ dataDir }).then((store) => store.close()));
      assert.ok(error instanceof Error, `refused (${String(error)})`);
      assert.match(error.message, new RegExp(`the disk holding ${literally(dataDir)} is full \\(\\d+ (bytes|KiB) free\\)`));
    } finally {
      rmSync(nothingLeft);
    }
  });
});

describe('an SQLite error with room to spare keeps its own words', () => {
  let dataDir: string;
  let store: Store;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mailbind-test-'));
    store = await openStore({ dataDir });
  });
  after(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a database at its max_page_count is full, the disk is not', async () => {
    const pages = await sql<{ page_count: number }>`pragma page_count`.execute(store.db);
    await sql.raw(`pragma max_page_count = ${Number(pages.rows[0]!.page_count) + 2}`).execute(store.db);
    const error = await failure(sql`insert into raw_messages (ref, bytes) values (${'big'}, ${Buffer.alloc(256 * 1024)})`.execute(store.db));
    assert.ok(error instanceof Error);
    assert.equal((error as { code?: unknown }).code, 'SQLITE_FULL');
    assert.equal(error.message, 'database or disk is full');
  });

  test('errors of other kinds pass as they are', () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    assert.equal(withFullDiskNamed(busy, dataDir), busy);
    const missing = Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
    assert.equal(withFullDiskNamed(missing, dataDir), missing);
    assert.equal(withFullDiskNamed('not an error', dataDir), 'not an error');
  });

  test('a file call\'s ENOSPC on a disk with room (freed meanwhile) names the folder without a false figure; EDQUOT is a quota', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    const named = withFullDiskNamed(enospc, dataDir) as NodeJS.ErrnoException;
    assert.equal(named.message, `the disk holding ${dataDir} has no space left: ENOSPC: no space left on device, write`);
    assert.deepEqual([named.code, named.errno, named.syscall, named.cause], ['ENOSPC', -28, 'write', enospc]);
    assert.equal(withFullDiskNamed(named, dataDir), named, 'named once, however many layers pass it on');
    const quota = Object.assign(new Error('EDQUOT: disk quota exceeded, write'), { code: 'EDQUOT' });
    assert.equal((withFullDiskNamed(quota, dataDir) as Error).message, `the disk quota for ${dataDir} is used up: EDQUOT: disk quota exceeded, write`);
    // Node 20's libuv has no name for EDQUOT (122 on Linux): its code is the number's description.
    const unnamed = Object.assign(new Error('Unknown system error -122: Unknown system error -122, write'), { code: 'Unknown system error -122', errno: -122 });
    assert.match((withFullDiskNamed(unnamed, dataDir) as Error).message, new RegExp(`^the disk quota for ${literally(dataDir)} is used up: `));
  });
});

describe('a full disk under the blob store (raw messages over 64 KiB, attachments)', { skip: tmpfsSkip() }, () => {
  let fs: Tmpfs;
  let blobs: BlobStore;
  let filler: string;
  const tmpEntries = () => readdirSync(join(blobs.root, 'tmp'));

  before(() => {
    fs = mountTmpfs(3 * 1024 * 1024);
    blobs = new BlobStore(join(fs.dir, 'data'));
    filler = fs.fillLeaving(128 * 1024);
  });
  after(() => fs?.unmount());

  test('a blob that finds no room says the disk is full and names the blobs folder, with Node\'s code; no temp file is left', async () => {
    const error = await failure(blobs.save(tooLarge()));
    assert.ok(error instanceof Error, 'the write failed');
    assert.match(error.message, new RegExp(`^the disk holding ${literally(blobs.root)} is full \\(\\d+ (bytes|KiB) free\\): ENOSPC: no space left on device`));
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
    assert.deepEqual(tmpEntries(), []);
  });

  test('a batch: the blob with no room is refused alone, named, and the call answers for each', async () => {
    // The two are written at once: the small one is stored, or, when the large one took the last page
    // first, refused the same way; never the batch as a whole.
    const small = Buffer.from('a small raw message\r\n');
    const results = await blobs.saveAll([small, tooLarge()]);
    assert.equal(results.length, 2);
    const [first, refused] = results;
    if (first && !('error' in first)) assert.deepEqual(await blobs.read(first.ref), small);
    else assert.match(first!.error.message, new RegExp(`^the disk holding ${literally(blobs.root)} is full`));
    assert.ok(refused && 'error' in refused, 'the large one refused');
    assert.match(refused.error.message, new RegExp(`^the disk holding ${literally(blobs.root)} is full`));
    assert.deepEqual(tmpEntries(), []);
  });

  test('the room is read before the half-written file is removed: a large blob reads "full", not "no space left"', async () => {
    rmSync(filler);
    // 2 MiB left, 3 MiB to write: what the write took, given back by the removal, would be over the
    // 1 MiB under which a disk reads as full.
    filler = fs.fillLeaving(2 * 1024 * 1024);
    try {
      const error = await failure(blobs.save(Buffer.alloc(3 * 1024 * 1024, 'y')));
      assert.ok(error instanceof Error, 'the write failed');
      assert.match(error.message, new RegExp(`^the disk holding ${literally(blobs.root)} is full \\(\\d+ (bytes|KiB) free\\)`));
      assert.deepEqual(tmpEntries(), []);
    } finally {
      rmSync(filler);
      filler = fs.fillLeaving(128 * 1024);
    }
  });

  test('with room again, the same blob is stored', async () => {
    rmSync(filler);
    const { ref } = await blobs.save(tooLarge());
    assert.equal((await blobs.read(ref)).length, tooLarge().length);
    filler = fs.fillLeaving(128 * 1024);
  });
});

describe('a file system without a fixed number of inodes (btrfs; a tmpfs with nr_inodes=0)', { skip: tmpfsSkip() }, () => {
  let fs: Tmpfs;
  before(() => {
    fs = mountTmpfs(3 * 1024 * 1024, { inodes: 0 });
  });
  after(() => fs?.unmount());

  test('an ENOSPC there with bytes to spare is not called a lack of inodes (it reports 0 of 0)', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, open'), { code: 'ENOSPC' });
    assert.equal((withFullDiskNamed(enospc, fs.dir) as Error).message, `the disk holding ${fs.dir} has no space left: ENOSPC: no space left on device, open`);
  });
});

describe('a disk out of inodes under the blob store', { skip: tmpfsSkip() }, () => {
  let fs: Tmpfs;
  let blobs: BlobStore;
  let batch: BlobBatch;
  before(async () => {
    fs = mountTmpfs(3 * 1024 * 1024, { inodes: 64 });
    blobs = new BlobStore(join(fs.dir, 'data'));
    // An attachment written to tmp/ while there are inodes; its shard folder is made when it is placed.
    batch = new BlobBatch(blobs);
    await batch.save(Buffer.from('an attachment'));
    mkdirSync(join(fs.dir, 'many'));
    // Every inode left taken by empty files, as a folder of many small files would.
    for (let i = 0; ; i++) {
      try {
        writeFileSync(join(fs.dir, 'many', String(i)), '');
      } catch (error) {
        assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
        break;
      }
    }
  });
  after(() => fs?.unmount());

  test('a blob that cannot be made says the disk has no free inodes, and how much room it has', async () => {
    const error = await failure(blobs.save(Buffer.from('a raw message\r\n')));
    assert.ok(error instanceof Error, 'the write failed');
    assert.match(error.message, new RegExp(`^the disk holding ${literally(blobs.root)} has no free inodes \\(\\d+ (KiB|MiB) free\\): ENOSPC`));
  });

  test('an attachment batch that cannot place its blob says so, with the disk\'s words and Node\'s code', async () => {
    const error = await failure(batch.flush());
    assert.ok(error instanceof Error, 'the flush failed');
    assert.match(error.message, new RegExp(`^could not store an attachment: the disk holding ${literally(blobs.root)} has no free inodes`));
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
    assert.equal(((error as Error).cause as NodeJS.ErrnoException | undefined)?.code, 'ENOSPC', 'the named error is its cause');
  });
});
