// Raw messages whose blob files fall in three different shard folders of the blob store (the first two
// hex digits of their SHA-256), the middle one in a folder no earlier blob made: a test puts a file
// where that folder goes, so that only the middle message's blob fails to store.
import { refOf } from '../../src/store/blobs.js';

/** The shard folder a blob of these bytes is stored in: the first two characters of its ref (BlobStore.pathOf). */
export const shardOf = (raw: Buffer): string => refOf(raw).slice(0, 2);

/**
 * Three messages from `make(i)` (fresh random bytes each call), made again until their shards differ and
 * the middle one's is not in `taken`. The last is remade first: with only the middle one remade, a first
 * and last in the same shard (1 in 256) kept the loop going for ever.
 */
export function threeShardsApart(make: (i: 0 | 1 | 2) => Buffer, taken: ReadonlySet<string>): [Buffer, Buffer, Buffer] {
  const raws: [Buffer, Buffer, Buffer] = [make(0), make(1), make(2)];
  while (shardOf(raws[2]) === shardOf(raws[0])) raws[2] = make(2);
  while (taken.has(shardOf(raws[1])) || new Set(raws.map(shardOf)).size < 3) raws[1] = make(1);
  return raws;
}
