// openStore when the database cannot be brought up to date: the error names the migration, and the
// database is closed again, not left open (a process that tries again later, a service's retries,
// would otherwise hold one more handle of the file each time).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { openStore } from '../../src/store/database.js';

/** This process's open file descriptors on `file`. */
function handlesOn(file: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false; // closed meanwhile (the readdir's own descriptor)
    }
  }).length;
}

test('a database its migrations cannot bring up to date: refused with the migration named, and closed again', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mailbind-test-'));
  try {
    const file = join(dataDir, 'mailbind.sqlite');
    // Another program's table where mailbind's first migration makes its own.
    const other = new BetterSqlite3(file);
    other.exec('create table profiles (something_else text)');
    other.close();
    for (let attempt = 1; attempt <= 3; attempt++) {
      await assert.rejects(openStore({ dataDir }), /^Error: database migration 001-initial failed: .*profiles/);
      assert.equal(handlesOn(file), 0, `no handle of the database left open after attempt ${attempt}`);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
