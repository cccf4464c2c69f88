// Where a message's raw bytes are kept, and the one way to read them back. A message of at most
// RAW_IN_DATABASE_MAX_BYTES is a row of raw_messages, written in the transaction that inserts its inbox
// row, so one commit makes a whole batch durable; a larger one is a blob file (blobs.ts), synced before
// that transaction. Either way its raw_ref is the SHA-256 of its bytes, and readers ask here, not there.
//
// Why the database for small ones (issue 14): a file each cost a write, an fsync, a rename and an fsync
// of its shard folder, about a millisecond of CPU and kernel time per message on the benchmark's
// machine, where 90% of support mail is a few kilobytes. SQLite's own measurements put blobs under about
// 100 KB faster in the database than in files (https://www.sqlite.org/intern-v-extern-blob.html); the
// limit stays under that, and large attachments and large messages stream to files as before. Messages
// stored before this (all files) are still read from their files.
import { Readable } from 'node:stream';
import { chunksOf } from './chunks.js';
import type { BlobStore } from './blobs.js';
import type { Db } from './database.js';

/** The largest raw message kept in the database; anything larger is a blob file. */
export const RAW_IN_DATABASE_MAX_BYTES = 64 * 1024;

export interface RawBytes {
  ref: string;
  bytes: Buffer;
}

/** Rows per INSERT: a batch of intake is 100 messages or 8 MiB at most, so usually one statement. */
const INSERT_CHUNK = 100;

/**
 * Stores raw messages in the database, inside the caller's transaction (the one inserting their inbox
 * rows): durable with its commit. Bytes already stored (the same message again) are left as they are.
 */
export async function insertRawMessages(trx: Db, raws: readonly RawBytes[]): Promise<void> {
  // In the order of their references: two batches inserting the same bytes (PostgreSQL, two profiles)
  // then wait for each other's rows in the same order and cannot deadlock.
  const unique = [...new Map(raws.map((raw) => [raw.ref, raw])).values()].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  for (const chunk of chunksOf(unique, INSERT_CHUNK)) {
    await trx.insertInto('raw_messages').values(chunk.map(({ ref, bytes }) => ({ ref, bytes })))
      .onConflict((oc) => oc.column('ref').doNothing()).execute();
  }
}

/** A stored message as the inbox names it. */
export interface RawRef {
  rawRef: string;
  rawSize: number;
}

export class RawMessages {
  constructor(private readonly db: Db, readonly blobs: BlobStore) {}

  /**
   * The bytes of these messages that can be handed to a parser without opening a file: those in the
   * database (one query). Messages missing from the answer are files: the parser streams them.
   */
  async forParsing(items: readonly RawRef[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const inDatabase = items.filter((item) => item.rawSize <= RAW_IN_DATABASE_MAX_BYTES).map((item) => item.rawRef);
    for (const refs of chunksOf([...new Set(inDatabase)])) {
      const rows = await this.db.selectFrom('raw_messages').select(['ref', 'bytes']).where('ref', 'in', refs).execute();
      for (const row of rows) found.set(row.ref, row.bytes);
    }
    return found;
  }

  /** The message's bytes, from the database or streamed from its file; undefined when neither holds them. */
  async open(item: RawRef): Promise<Readable | undefined> {
    const bytes = await this.fromDatabase(item);
    if (bytes) return Readable.from([bytes]);
    return (await this.blobs.has(item.rawRef)) ? this.blobs.open(item.rawRef) : undefined;
  }

  private async fromDatabase({ rawRef, rawSize }: RawRef): Promise<Buffer | undefined> {
    if (rawSize > RAW_IN_DATABASE_MAX_BYTES) return undefined;
    const row = await this.db.selectFrom('raw_messages').select('bytes').where('ref', '=', rawRef).executeTakeFirst();
    return row?.bytes;
  }
}
