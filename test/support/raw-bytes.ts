// A stored message's raw bytes, wherever they are kept (a raw_messages row or a blob file:
// src/store/raw-messages.ts), for tests that read them or make them vanish.
import { renameSync } from 'node:fs';
import { BlobStore } from '../../src/store/blobs.js';
import type { Store } from '../../src/store/database.js';
import { RawMessages, type RawRef } from '../../src/store/raw-messages.js';

/** The bytes as stored; undefined when neither the database nor a file holds them. */
export async function storedRaw(store: Store, item: RawRef): Promise<Buffer | undefined> {
  const stream = await new RawMessages(store.db, new BlobStore(store.dataDir)).open(item);
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Whether the bytes are a row of the database (true) or a blob file (false). */
export async function rawInDatabase(store: Store, item: RawRef): Promise<boolean> {
  return !!(await store.db.selectFrom('raw_messages').select('ref').where('ref', '=', item.rawRef).executeTakeFirst());
}

/** Takes the bytes away (a disk or database problem) until the function it answers puts them back. */
export async function setRawAside(store: Store, item: RawRef): Promise<() => Promise<void>> {
  const row = await store.db.selectFrom('raw_messages').selectAll().where('ref', '=', item.rawRef).executeTakeFirst();
  if (row) {
    await store.db.deleteFrom('raw_messages').where('ref', '=', item.rawRef).execute();
    return async () => void await store.db.insertInto('raw_messages').values(row).execute();
  }
  const path = new BlobStore(store.dataDir).pathOf(item.rawRef);
  renameSync(path, `${path}.away`);
  return async () => renameSync(`${path}.away`, path);
}
