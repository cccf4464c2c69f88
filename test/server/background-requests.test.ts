// Requests the UI makes by itself (polling the message log, marked X-Mailbind-Background: 1) are not
// activity: they do not move the session's last_seen_at, so an open tab does not keep an idle session
// alive; the same request without the header does move it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addAccount } from '../../src/app/accounts.js';
import { secretHash } from '../../src/app/bearer-secrets.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { sessionLimits } from '../../src/app/sessions.js';
import { dialects } from '../support/store.js';
import { openTestServer, type TestServer } from '../support/http.js';
import { waitFor } from '../support/wait.js';

const PASSWORD = 'background password 1';
const BACKGROUND = { 'x-mailbind-background': '1' };

for (const dialect of await dialects()) {
  describe(`background requests and the idle limit (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await openTestServer(dialect);
      await addAccount(s.app, { name: 'polly', role: 'viewer', password: PASSWORD }, cliPrincipal('test'));
    });
    after(() => s.close());

    async function signIn(): Promise<{ cookie: string; idHash: string }> {
      const answer = await s.call('/api/v1/session', { token: null, json: { name: 'polly', password: PASSWORD } });
      assert.equal(answer.status, 200, answer.text);
      const cookie = answer.headers.get('set-cookie')!.split(';')[0]!;
      return { cookie, idHash: secretHash(cookie.slice(cookie.indexOf('=') + 1)) };
    }
    const lastSeen = async (idHash: string) =>
      (await s.app.store.db.selectFrom('sessions').select('last_seen_at').where('id_hash', '=', idHash).executeTakeFirst())?.last_seen_at;
    const seenAgo = (idHash: string, ms: number) =>
      s.app.store.db.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - ms).toISOString() }).where('id_hash', '=', idHash).execute();

    test('a background request does not move last_seen_at; the same request without the header does', async () => {
      const { cookie, idHash } = await signIn();
      await seenAgo(idHash, 5 * 60_000);
      const before = await lastSeen(idHash);
      const polled = await s.call('/api/v1/messages?limit=50', { token: null, cookie, headers: BACKGROUND });
      assert.equal(polled.status, 200, polled.text);
      assert.equal(await lastSeen(idHash), before, 'a poll is not activity');
      const clicked = await s.call('/api/v1/messages?limit=50', { token: null, cookie });
      assert.equal(clicked.status, 200);
      assert.ok(Date.parse((await lastSeen(idHash))!) > Date.parse(before!) + 4 * 60_000, 'a request of the person is');
    });

    test('a session polled in the background still idles out', async () => {
      const { cookie, idHash } = await signIn();
      // Seen last just under the idle limit ago: it ends within about a second unless something touches it.
      await seenAgo(idHash, sessionLimits().idleMs - 1_000);
      assert.equal((await s.call('/api/v1/messages', { token: null, cookie, headers: BACKGROUND })).status, 200, 'still valid now');
      await waitFor(async () => (await s.call('/api/v1/messages', { token: null, cookie, headers: BACKGROUND })).status === 401, {
        what: 'the polled session to idle out', timeoutMs: 5_000, intervalMs: 200,
      });
      assert.equal(await lastSeen(idHash), undefined, 'the idle session is gone');
      assert.equal((await s.call('/api/v1/messages', { token: null, cookie })).status, 401);
    });
  });
}
