// Push intake: 202 once the bytes are committed, and the message is processed; 401 for a wrong or
// missing intake token; 413 above the profile's size limit; 400 for what is not mail; 503 with
// Retry-After while the database refuses writes, and the client's retry is stored exactly once.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createProfile } from '../../src/app/profiles.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { addProject } from '../../src/app/tracker.js';
import { makeMessage } from '../support/messages.js';
import { dialects, type TestDialect } from '../support/store.js';
import { openTestServer, type TestServer } from '../support/http.js';

/** Makes the real database refuse every new inbox row (a full disk, a read-only replica). */
async function refuseInboxWrites(s: TestServer, dialect: TestDialect, refuse: boolean): Promise<void> {
  const db = s.app.store.db;
  if (dialect === 'sqlite') {
    if (refuse) await sql`create trigger refuse_intake before insert on inbox_items begin select raise(abort, 'the disk is full (test)'); end`.execute(db);
    else await sql`drop trigger refuse_intake`.execute(db);
    return;
  }
  if (refuse) {
    await sql`create or replace function refuse_intake() returns trigger language plpgsql as $$ begin raise exception 'the disk is full (test)'; end $$`.execute(db);
    await sql`create trigger refuse_intake before insert on inbox_items for each row execute function refuse_intake()`.execute(db);
  } else {
    await sql`drop trigger refuse_intake on inbox_items`.execute(db);
  }
}

for (const dialect of await dialects()) {
  describe(`push intake (${dialect})`, () => {
    let s: TestServer;
    let profileId: number;
    let token: string;
    const who = cliPrincipal('test');
    before(async () => {
      s = await openTestServer(dialect);
      await addProject(s.app, { name: 'General' }, who);
      const saved = await createProfile(s.app, {
        name: 'push',
        rules: { text: 'then attach to project 1 and create request in project 1', label: 'rules' },
        source: { protocol: 'pipe', maxMessageBytes: 4096 },
      }, who);
      profileId = saved.profile.id;
      token = (await s.call(`/api/v1/profiles/${profileId}/intake-token`, { method: 'POST' })).json.token;
    });
    after(() => s.close().catch(() => undefined));

    const push = (body: string | Buffer, bearer: string | null = token) =>
      s.call(`/api/v1/intake/${profileId}`, { token: bearer, body, contentType: 'message/rfc822' });

    test('202 once stored, and the message is then processed into a request', async () => {
      const answer = await push(makeMessage({ subject: 'Pushed' }));
      assert.equal(answer.status, 202, answer.text);
      assert.equal(answer.json.duplicate, false);
      const processor = await s.app.processor();
      const [result] = await processor.processDue({ ids: [answer.json.itemId] });
      assert.equal(result?.outcome, 'imported');
    });

    test('401 without the token, with a wrong one, with an API token, or for another profile', async () => {
      assert.equal((await push(makeMessage(), null)).status, 401);
      assert.equal((await push(makeMessage(), 'mbi_wrong')).status, 401);
      assert.equal((await push(makeMessage(), s.adminToken)).status, 401);
      const other = await s.call(`/api/v1/intake/999999`, { token, body: makeMessage(), contentType: 'message/rfc822' });
      assert.equal(other.status, 401);
    });

    test("413 above the profile's size limit, and nothing is stored", async () => {
      const before = await s.call(`/api/v1/messages?profileId=${profileId}`);
      const big = makeMessage({ subject: 'Big', body: 'x'.repeat(10_000) });
      const answer = await push(big);
      assert.equal(answer.status, 413);
      assert.match(answer.json.error, /size limit of 4096 bytes/);
      const after = await s.call(`/api/v1/messages?profileId=${profileId}`);
      assert.equal(after.json.messages.length, before.json.messages.length);
    });

    test('400 for a body that is not mail, or empty', async () => {
      const answer = await push('%PDF-1.7 this is not a message');
      assert.equal(answer.status, 400);
      assert.match(answer.json.error, /not a mail message/);
      assert.equal((await push('')).status, 400);
    });

    test('503 with Retry-After while the database refuses writes; the retry is stored exactly once', async () => {
      const message = makeMessage({ subject: 'During the outage', messageId: 'outage-1@example.com' });
      await refuseInboxWrites(s, dialect, true);
      let refused;
      try {
        refused = await push(message);
      } finally {
        await refuseInboxWrites(s, dialect, false);
      }
      assert.equal(refused.status, 503, refused.text);
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      assert.doesNotMatch(refused.text, /disk is full/, "the database's own words stay in the log");
      assert.equal(s.log.find('the message could not be stored now; send it again later').length, 1);
      const retried = await push(message);
      assert.equal(retried.status, 202);
      assert.equal(retried.json.duplicate, false);
      const again = await push(message);
      assert.equal(again.status, 202);
      assert.equal(again.json.duplicate, true);
      assert.equal(again.json.itemId, retried.json.itemId);
      const listed = await s.call(`/api/v1/messages?profileId=${profileId}&q=${encodeURIComponent('During the outage')}`);
      assert.equal(listed.json.messages.length, 1);
    });

    test('a sender whose upload breaks off midway: nothing is stored, no answer but an error, and the service goes on', async () => {
      const roomy = await createProfile(s.app, {
        name: 'push-roomy',
        rules: { text: 'then attach to project 1 and create request in project 1', label: 'rules' },
        source: { protocol: 'pipe', maxMessageBytes: 1024 * 1024 },
      }, who);
      const roomyToken = (await s.call(`/api/v1/profiles/${roomy.profile.id}/intake-token`, { method: 'POST' })).json.token;
      const whole = makeMessage({ subject: 'Cut off', body: 'y'.repeat(256 * 1024) });
      // Past the first 4 KiB (read before anything is stored) and past the 64 KiB a message may take in
      // the database (so a file is being written), then the connection drops, as a sender's network or
      // timeout would end it.
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 96 * 1024) return controller.error(new Error('the sender\'s connection was reset'));
          controller.enqueue(whole.subarray(sent, sent + 4096));
          sent += 4096;
        },
      });
      const answer = await s.api.request(`/api/v1/intake/${roomy.profile.id}`, {
        method: 'POST', body, duplex: 'half',
        headers: { authorization: `Bearer ${roomyToken}`, 'content-type': 'message/rfc822' },
      } as RequestInit);
      assert.equal(answer.status, 503, 'not stored: the sender (if it is still there) tries again');
      await answer.text();
      const listed = await s.call(`/api/v1/messages?profileId=${roomy.profile.id}`);
      assert.equal(listed.json.messages.length, 0, 'nothing stored');
      assert.deepEqual(readdirSync(join(s.t.dataDir, 'blobs', 'tmp')), [], 'no half-written file left');
      // The service is still there, and the same message sent whole is stored.
      const again = await s.call(`/api/v1/intake/${roomy.profile.id}`, { token: roomyToken, body: whole, contentType: 'message/rfc822' });
      assert.equal(again.status, 202, again.text);
    });

    test('503, not 500, when the database cannot be reached at all (checked last: it closes the store)', async () => {
      await s.app.store.close();
      const answer = await push(makeMessage({ subject: 'Nobody home' }));
      assert.equal(answer.status, 503, answer.text);
      assert.ok(Number(answer.headers.get('retry-after')) > 0);
    });
  });
}
