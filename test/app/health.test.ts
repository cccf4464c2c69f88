// Readiness (/readyz): ready while the database answers; not ready once it does not, nor once the
// service is shutting down; and what it says of the database names no host, user or password.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/app/app.js';
import { checkReady } from '../../src/app/health.js';
import { dialects, openTestStore } from '../support/store.js';

for (const dialect of await dialects()) {
  describe(`readiness (${dialect})`, () => {
    test('ready on a live store; not ready after the store is closed', async () => {
      const t = await openTestStore(dialect);
      try {
        const app = assemble(t.store);
        assert.deepEqual(await checkReady(app), { ok: true, checks: [{ name: 'database', ok: true }] });
        await t.store.close();
        const closed = await checkReady(app, { timeoutMs: 5000 });
        assert.equal(closed.ok, false);
        assert.deepEqual(closed.checks, [{ name: 'database', ok: false, message: 'the database cannot be reached' }]);
      } finally {
        await t.cleanup();
      }
    });

    test('not ready while shutting down, though the database answers', async () => {
      const t = await openTestStore(dialect);
      try {
        const app = assemble(t.store);
        const stopping = new AbortController();
        assert.equal((await checkReady(app, { signal: stopping.signal })).ok, true);
        stopping.abort();
        const ready = await checkReady(app, { signal: stopping.signal });
        assert.equal(ready.ok, false);
        assert.deepEqual(ready.checks, [{ name: 'database', ok: true }, { name: 'service', ok: false, message: 'shutting down' }]);
      } finally {
        await t.cleanup();
      }
    });
  });
}
