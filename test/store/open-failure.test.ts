// openStore when the database cannot be brought up to date: refused as an unusable store, naming the
// migration, and the database is closed again, not left open (a process that tries again later, a service's retries,
// would otherwise hold one more handle of the file each time).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { openStore, StoreOpenError } from '../../src/store/database.js';

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
    // As /proc names it: the real path (the temp folder may be reached through a symlink).
    const file = join(realpathSync(dataDir), 'mailbind.sqlite');
    // Another program's table where mailbind's first migration makes its own.
    const other = new BetterSqlite3(file);
    other.exec('create table profiles (something_else text)');
    assert.equal(handlesOn(file), 1, 'an open database is seen');
    other.close();
    for (let attempt = 1; attempt <= 3; attempt++) {
      await assert.rejects(openStore({ dataDir }), (error: unknown) => {
        assert.ok(error instanceof StoreOpenError);
        assert.equal(error.reason, 'unusable');
        assert.match(error.message, /^cannot open the database .*mailbind\.sqlite: database migration 001-initial failed: .*profiles/);
        return true;
      });
      assert.equal(handlesOn(file), 0, `no handle of the database left open after attempt ${attempt}`);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
