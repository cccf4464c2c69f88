// While the database opens and migrates, the socket already answers: alive, not ready, come back soon.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startingApp } from '../../src/server/starting.js';

test('while starting: /healthz 200, /readyz 503, every other route 503 with Retry-After', async () => {
  const app = startingApp({ state: 'starting' });
  assert.equal((await app.request('/healthz')).status, 200);
  const ready = await app.request('/readyz');
  assert.equal(ready.status, 503);
  assert.equal(((await ready.json()) as { state: string }).state, 'starting');
  const api = await app.request('/api/v1/profiles', { method: 'POST' });
  assert.equal(api.status, 503);
  assert.equal(api.headers.get('retry-after'), '5');
  assert.match(((await api.json()) as { error: string }).error, /starting/);
  assert.match(api.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
});
