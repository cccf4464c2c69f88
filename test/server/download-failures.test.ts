// The messages a successful poll could not download, on the status: at most 20 named (the rest counted),
// each error cut at 500 characters, each message's `since` kept while it keeps failing, untouched by a
// poll that failed as a whole or was stopped, cleared by one that downloaded everything and by pointing
// the profile at another mailbox; the status API gives them. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getStatus, LISTED_DOWNLOAD_FAILURES, recordPollFailure, recordPollSuccess } from '../../src/sources/status.js';
import { dialects } from '../support/store.js';
import { openTestServer, type TestServer } from '../support/http.js';

const LATER = new Date(Date.now() + 60_000).toISOString();
const failed = (keys: string[]) => keys.map((key) => ({ key, error: `refused ${key}` }));

for (const dialect of await dialects()) {
  describe(`download failures on the status (${dialect})`, () => {
    let s: TestServer;
    let id: number;
    before(async () => {
      s = await openTestServer(dialect);
      const made = await s.call('/api/v1/profiles', { json: { name: 'mailbox', source: { protocol: 'pop3', host: '127.0.0.1', login: 'a', password: 'pw-1' } } });
      assert.equal(made.status, 201, made.text);
      id = made.json.profile.id;
    });
    after(() => s.close());
    const db = () => s.app.store.db;

    test('named with their errors; a message failing again keeps its since, a new one gets the poll\'s time', async () => {
      assert.equal((await getStatus(db(), id)).downloadFailures, null);
      await recordPollSuccess(db(), id, LATER, [{ key: 'k1', error: 'x'.repeat(2000) }]);
      const first = (await getStatus(db(), id)).downloadFailures!;
      assert.equal(first.total, 1);
      assert.equal(first.first[0]!.error, 'x'.repeat(500));
      const since = first.first[0]!.since;
      await db().updateTable('profile_status').set({ download_failures: JSON.stringify({ total: 1, first: [{ key: 'k1', error: 'e', since: '2026-01-02T03:04:05.000Z' }] }) }).where('profile_id', '=', id).execute();
      await recordPollSuccess(db(), id, LATER, failed(['k1', 'k2']));
      const second = (await getStatus(db(), id)).downloadFailures!;
      assert.deepEqual(second.first.map((f) => [f.key, f.error]), [['k1', 'refused k1'], ['k2', 'refused k2']]);
      assert.equal(second.first[0]!.since, '2026-01-02T03:04:05.000Z', 'k1 has failed since then');
      assert.ok(second.first[1]!.since >= since, 'k2 fails since this poll');

      const answer = await s.call(`/api/v1/profiles/${id}/status`, { token: 'viewer' });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json.downloadFailures, second);
      const all = await s.call('/api/v1/status', { token: 'viewer' });
      assert.deepEqual(all.json.profiles.find((p: { id: number }) => p.id === id).downloadFailures, second);
    });

    test('a poll that failed as a whole leaves them; one that downloaded all clears them; many are counted, 20 named', async () => {
      await recordPollSuccess(db(), id, LATER, failed(['k1']));
      await recordPollFailure(db(), id, 'connection refused', LATER);
      assert.equal((await getStatus(db(), id)).downloadFailures?.total, 1, 'a failed poll says nothing of single messages');
      await recordPollSuccess(db(), id, LATER);
      assert.equal((await getStatus(db(), id)).downloadFailures?.total, 1, 'a poll stopped on the way (no list) leaves it');
      await recordPollSuccess(db(), id, LATER, []);
      assert.equal((await getStatus(db(), id)).downloadFailures, null);
      assert.equal((await s.call(`/api/v1/profiles/${id}/status`, { token: 'viewer' })).json.downloadFailures, null);

      await recordPollSuccess(db(), id, LATER, failed(Array.from({ length: 250 }, (_, i) => `k${i}`)));
      const many = (await getStatus(db(), id)).downloadFailures!;
      assert.equal(many.total, 250);
      assert.deepEqual(many.first.map((f) => f.key), Array.from({ length: LISTED_DOWNLOAD_FAILURES }, (_, i) => `k${i}`));
    });

    test('pointed at another mailbox, the profile names none of the old one\'s messages', async () => {
      await recordPollSuccess(db(), id, LATER, failed(['k1']));
      const same = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { source: { pollSeconds: 120 } } });
      assert.equal(same.status, 200, same.text);
      assert.equal((await getStatus(db(), id)).downloadFailures?.total, 1, 'the same mailbox: still its messages');
      const moved = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { source: { host: '127.0.0.2', password: 'pw-2' } } });
      assert.equal(moved.status, 200, moved.text);
      assert.equal((await getStatus(db(), id)).downloadFailures, null);
    });
  });
}
