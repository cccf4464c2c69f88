// Secrets at rest: the key file is created once with mode 0600, MAILBIND_SECRET_KEY wins over it,
// ciphertexts differ each time, and a wrong key fails with a message saying what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox, SecretKeyError } from '../../src/store/secrets.js';

test('key file: created once with mode 0600 and reused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-secrets-'));
  try {
    const box = SecretBox.forDataDir(dir, {});
    const key = readFileSync(join(dir, 'secret.key'), 'utf8');
    assert.equal(statSync(join(dir, 'secret.key')).mode & 0o777, 0o600);
    const stored = box.encrypt('hunter2');
    assert.match(stored, /^v1:/);
    assert.notEqual(box.encrypt('hunter2'), stored, 'a fresh IV each time');
    assert.equal(SecretBox.forDataDir(dir, {}).decrypt(stored), 'hunter2');
    assert.equal(readFileSync(join(dir, 'secret.key'), 'utf8'), key);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('MAILBIND_SECRET_KEY wins; a different key cannot decrypt and says why', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-secrets-'));
  try {
    const hex = 'a'.repeat(64);
    const stored = SecretBox.forDataDir(dir, { MAILBIND_SECRET_KEY: hex }).encrypt('pw');
    assert.equal(SecretBox.forDataDir(dir, { MAILBIND_SECRET_KEY: hex }).decrypt(stored), 'pw');
    assert.throws(() => SecretBox.forDataDir(dir, { MAILBIND_SECRET_KEY: 'another passphrase' }).decrypt(stored), (error: Error) => {
      assert.ok(error instanceof SecretKeyError);
      assert.match(error.message, /secret key changed .* set the password again/);
      return true;
    });
    assert.throws(() => SecretBox.forDataDir(dir, {}).decrypt('plain text'), /not in a known format/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
