// Raw messages just stored are parsed from memory by the same process (issue 14): the cache hands each
// over once, keeps no more than its byte bound (the oldest dropped first), and never stands in for a
// file it has not seen. Intake's batches fill it (BlobStore.keepRecent); processing takes from it
// (BlobStore.takeRecent, through RawMessages.forParsing: test/store/raw-messages.test.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobStore, refOf } from '../../src/store/blobs.js';
import { RecentBlobs } from '../../src/store/recent-blobs.js';

let dataDir: string;
before(() => (dataDir = mkdtempSync(join(tmpdir(), 'mailbind-recent-'))));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('each blob is handed over once', () => {
  const recent = new RecentBlobs();
  recent.put('/a', Buffer.from('alpha'), 1000);
  assert.equal(recent.take('/a')?.toString(), 'alpha');
  assert.equal(recent.take('/a'), undefined);
  assert.deepEqual(recent.size, { entries: 0, bytes: 0 });
});

test('past the byte bound the oldest blobs are dropped first; one larger than the bound is not kept', () => {
  const recent = new RecentBlobs();
  for (const name of ['one', 'two', 'three', 'four', 'five']) recent.put(`/${name}`, Buffer.alloc(240, name), 1000);
  assert.deepEqual(recent.size, { entries: 4, bytes: 960 });
  assert.equal(recent.take('/one'), undefined, 'the oldest went');
  assert.equal(recent.take('/five')?.length, 240);
  recent.put('/big', Buffer.alloc(1001), 1000);
  assert.equal(recent.take('/big'), undefined);
});

test('keepRecent keeps bytes for this process to parse: takeRecent gives them once', () => {
  const blobs = new BlobStore(dataDir);
  const content = Buffer.from('From: a@example.com\r\nSubject: just stored\r\n\r\nbody\r\n');
  const ref = refOf(content);
  blobs.keepRecent(ref, content, 1 << 20);
  assert.deepEqual(blobs.takeRecent(ref), content);
  assert.equal(blobs.takeRecent(ref), undefined, 'handed over once');
});

test('bytes kept under another data dir are not found here', () => {
  const content = Buffer.from('elsewhere');
  new BlobStore(join(dataDir, 'other')).keepRecent(refOf(content), content, 1 << 20);
  assert.equal(new BlobStore(dataDir).takeRecent(refOf(content)), undefined);
});

test('saveAll alone keeps nothing in memory', async () => {
  const blobs = new BlobStore(dataDir);
  const [saved] = await blobs.saveAll([Buffer.from('not kept')]);
  assert.ok(saved && 'ref' in saved);
  assert.equal(blobs.takeRecent(saved.ref), undefined);
});
