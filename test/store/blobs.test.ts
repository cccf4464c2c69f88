import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobStore } from '../../src/store/blobs.js';

test('blobs are content-addressed, stored once, and read back byte for byte', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-blobs-'));
  try {
    const blobs = new BlobStore(dir);
    const bytes = Buffer.from('From: a@b\r\n\r\n\x00\xff body\r\n', 'latin1');
    const a = await blobs.save(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]));
    const b = await blobs.save(bytes);
    assert.equal(a.ref, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(a.ref, b.ref);
    assert.equal(a.size, bytes.length);
    assert.deepEqual(await blobs.read(a.ref), bytes);
    assert.deepEqual(readdirSync(join(dir, 'blobs', 'tmp')), [], 'no temp files left behind');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A parse thread writes attachments with blocking calls (BlobStoreOptions.blockingTempWrites): the same
// files, names and hashes as the default path, and nothing left in tmp/ when the source fails.
test('blocking temp writes give the same blob as the default, and leave nothing when the source fails', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-blobs-'));
  try {
    const bytes = Buffer.concat([Buffer.from('attachment\x00\xff', 'latin1'), Buffer.alloc(300_000, 7)]);
    const chunks = () => Readable.from([bytes.subarray(0, 70_000), bytes.subarray(70_000, 70_001), bytes.subarray(70_001)]);
    const plain = new BlobStore(dir);
    const blocking = new BlobStore(dir, { blockingTempWrites: true });
    for (const store of [plain, blocking]) {
      for (const content of [bytes, chunks()]) {
        const written = await store.writeTemp(content);
        assert.deepEqual([written.ref, written.size], [createHash('sha256').update(bytes).digest('hex'), bytes.length]);
        assert.deepEqual(readFileSync(written.tmp), bytes);
        rmSync(written.tmp);
      }
    }
    const failing = new Readable({ read() {} });
    failing.push(bytes.subarray(0, 1000));
    setImmediate(() => failing.destroy(new Error('the parser stopped')));
    await assert.rejects(blocking.writeTemp(failing), /the parser stopped/);
    assert.deepEqual(readdirSync(join(dir, 'blobs', 'tmp')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
