// "Failing since" is the start of the streak: the first failed poll sets failing_since, later failures
// keep it (while last_error_at moves on), a success clears it; the status API gives it as failingSince.
// On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getStatus, recordPollFailure, recordPollSuccess } from '../../src/sources/status.js';
import { dialects } from '../support/store.js';
import { openTestServer, type TestServer } from '../support/http.js';

const START = '2026-01-02T03:04:05.000Z';
const LATER = new Date(Date.now() + 60_000).toISOString();

for (const dialect of await dialects()) {
  describe(`failing since (${dialect})`, () => {
    let s: TestServer;
    let id: number;
    before(async () => {
      s = await openTestServer(dialect);
      const made = await s.call('/api/v1/profiles', { json: { name: 'mailbox', source: { protocol: 'imap', host: '127.0.0.1', login: 'a', password: 'pw-1' } } });
      assert.equal(made.status, 201, made.text);
      id = made.json.profile.id;
    });
    after(() => s.close());
    const db = () => s.app.store.db;

    test('the first failure starts the streak; later ones keep its start; the API shows both it and the latest', async () => {
      assert.equal((await getStatus(db(), id)).failingSince, null, 'not failing yet');
      await recordPollFailure(db(), id, 'connection refused', LATER);
      const first = await getStatus(db(), id);
      assert.equal(first.failingSince, first.lastErrorAt, 'the first failure is the start');
      // Move the start back, as if the streak began long ago: more failures must not move it.
      await db().updateTable('profile_status').set({ failing_since: START }).where('profile_id', '=', id).execute();
      await recordPollFailure(db(), id, 'login failed', LATER);
      await recordPollFailure(db(), id, 'login failed again', LATER);
      const third = await getStatus(db(), id);
      assert.equal(third.consecutiveFailures, 3);
      assert.equal(third.failingSince, START);
      assert.notEqual(third.lastErrorAt, START);

      const answer = await s.call(`/api/v1/profiles/${id}/status`, { token: 'viewer' });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.json.failingSince, START);
      assert.equal(answer.json.lastError, 'login failed again');
      const all = await s.call('/api/v1/status', { token: 'viewer' });
      assert.equal(all.json.profiles.find((p: { id: number }) => p.id === id).failingSince, START);
    });

    test('a success ends the streak; the next failure starts a new one', async () => {
      await recordPollSuccess(db(), id, LATER);
      assert.equal((await getStatus(db(), id)).failingSince, null);
      assert.equal((await s.call(`/api/v1/profiles/${id}/status`, { token: 'viewer' })).json.failingSince, null);
      await recordPollFailure(db(), id, 'timeout', LATER);
      const status = await getStatus(db(), id);
      assert.notEqual(status.failingSince, START);
      assert.equal(status.failingSince, status.lastErrorAt);
    });
  });
}
