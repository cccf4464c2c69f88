// A profile's threading settings over HTTP: defaults shown, a PATCH changes only what it names, null
// sets one back to its default, a wrong value is refused per field, and the audit log names them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../support/store.js';
import { openTestServer, type TestServer } from '../support/http.js';

for (const dialect of await dialects()) {
  describe(`profile threading settings over HTTP (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await openTestServer(dialect);
    });
    after(() => s.close());

    test('created with some settings, the rest are their defaults', async () => {
      const created = await s.call('/api/v1/profiles', { json: { name: 'replies', threading: { closedReplies: 'reopen' } } });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(created.json.profile.threading, { subjectTokens: false, companyMayReply: false, closedReplies: 'reopen', rateLimitPerSenderHour: 20, acknowledge: false });
      const plain = await s.call('/api/v1/profiles', { json: { name: 'plain' } });
      assert.deepEqual(plain.json.profile.threading, { subjectTokens: false, companyMayReply: false, closedReplies: 'comment', rateLimitPerSenderHour: 20, acknowledge: false });
    });

    test('a PATCH changes only the settings it names; null sets one back to its default; the audit log names them', async () => {
      const id = (await s.call('/api/v1/profiles', { json: { name: 'patched' } })).json.profile.id;
      const on = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { threading: { subjectTokens: true, companyMayReply: true } } });
      assert.equal(on.status, 200, on.text);
      assert.deepEqual(on.json.profile.threading, { subjectTokens: true, companyMayReply: true, closedReplies: 'comment', rateLimitPerSenderHour: 20, acknowledge: false });
      const reset = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { threading: { subjectTokens: null, closedReplies: 'new-item' } } });
      assert.deepEqual(reset.json.profile.threading, { subjectTokens: false, companyMayReply: true, closedReplies: 'new-item', rateLimitPerSenderHour: 20, acknowledge: false });
      assert.deepEqual((await s.call(`/api/v1/profiles/${id}`, { token: 'viewer' })).json.threading, reset.json.profile.threading);
      const audit = (await s.call('/api/v1/audit')).json.entries.find((e: any) => e.action === 'profile.update' && e.details?.id === id);
      assert.deepEqual(audit?.details.settings, ['threading.closedReplies', 'threading.subjectTokens']);
      // The web form sends every setting: the audit log names only the one that changed.
      const form = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { threading: { subjectTokens: false, companyMayReply: false, closedReplies: 'new-item' } } });
      assert.equal(form.status, 200, form.text);
      const entries = (await s.call('/api/v1/audit')).json.entries.filter((e: any) => e.action === 'profile.update' && e.details?.id === id);
      assert.deepEqual(entries[0]?.details.settings, ['threading.companyMayReply']);
    });

    test('the per-sender rate limit is set per profile, 0 turns it off, null sets it back to 20', async () => {
      const id = (await s.call('/api/v1/profiles', { json: { name: 'limited', threading: { rateLimitPerSenderHour: 5 } } })).json.profile.id;
      assert.equal((await s.call(`/api/v1/profiles/${id}`)).json.threading.rateLimitPerSenderHour, 5);
      const off = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { threading: { rateLimitPerSenderHour: 0 } } });
      assert.equal(off.status, 200, off.text);
      assert.equal(off.json.profile.threading.rateLimitPerSenderHour, 0);
      const reset = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { threading: { rateLimitPerSenderHour: null } } });
      assert.equal(reset.json.profile.threading.rateLimitPerSenderHour, 20);
    });

    test('a wrong value or an unknown setting is refused per field, and nothing changes', async () => {
      const id = (await s.call('/api/v1/profiles', { json: { name: 'strict' } })).json.profile.id;
      const wrong = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { threading: { closedReplies: 'ignore' } } });
      assert.equal(wrong.status, 400);
      assert.deepEqual(wrong.json.errors.map((e: any) => e.field), ['threading.closedReplies']);
      const negative = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { threading: { rateLimitPerSenderHour: -1 } } });
      assert.equal(negative.status, 400);
      assert.deepEqual(negative.json.errors.map((e: any) => e.field), ['threading.rateLimitPerSenderHour']);
      const unknown = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { threading: { replyToken: true } } });
      assert.equal(unknown.status, 400);
      assert.equal((await s.call(`/api/v1/profiles/${id}`)).json.threading.closedReplies, 'comment');
    });
  });
}
