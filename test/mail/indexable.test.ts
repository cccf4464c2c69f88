// indexable: what goes into an indexed column (Message-ID, From) is at most 998 bytes of UTF-8, and
// two values stay equal exactly when they were.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexable, MAX_INDEXED_BYTES } from '../../src/mail/indexable.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

test('values up to 998 bytes are kept as they are', () => {
  for (const value of ['', 'abc@example.org', 'x'.repeat(MAX_INDEXED_BYTES), 'é'.repeat(MAX_INDEXED_BYTES / 2)]) {
    assert.equal(indexable(value), value);
  }
});

test('a longer value keeps its start and a hash of the whole: at most 998 bytes, equal only when the values are', () => {
  const long = `${'a'.repeat(12_000)}@example.org`;
  const stored = indexable(long);
  assert.ok(bytes(stored) <= MAX_INDEXED_BYTES, `${bytes(stored)} bytes`);
  assert.ok(stored.startsWith('a'.repeat(900)));
  assert.match(stored, /…sha256:[0-9a-f]{64}$/);
  assert.equal(indexable(long), stored, 'the same value, the same key');
  assert.equal(indexable(stored), stored, 'stored values are stored again unchanged');
  // The same first 12,000 characters, another end: another key (a prefix alone would have matched them).
  assert.notEqual(indexable(`${'a'.repeat(12_000)}@example.net`), stored);
  assert.equal(bytes(indexable('x'.repeat(MAX_INDEXED_BYTES + 1))) <= MAX_INDEXED_BYTES, true);
});

test('multi-byte characters are never cut in half', () => {
  for (const unit of ['é', '€', '😀']) {
    for (const lead of [0, 1, 2, 3]) {
      const stored = indexable('x'.repeat(lead) + unit.repeat(2000));
      assert.ok(bytes(stored) <= MAX_INDEXED_BYTES);
      assert.ok(!stored.includes('\ufffd'), `${unit} after ${lead}: a character was cut`);
      assert.ok(stored.startsWith('x'.repeat(lead) + unit.repeat(50)));
    }
  }
});
