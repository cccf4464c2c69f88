import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
