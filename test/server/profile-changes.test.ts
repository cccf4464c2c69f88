// A saved profile checked with changes not saved yet, and settings cleared back to their defaults.
// Check Connection on `/profiles/{id}/check` takes the form's changes as `{source}`: merged with the
// stored settings as a save merges them, so the stored password is reused for a new folder but not
// for a new server or login. A `null` setting in a change clears it (the default applies again).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { openTestServer, type TestServer } from '../support/http.js';
import { dialects } from '../support/store.js';

const NDJSON = { accept: 'application/x-ndjson' };
const linesOf = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line));

for (const dialect of await dialects()) {
  describe(`Check Connection of a saved profile with unsaved changes (${dialect})`, { skip: dovecotSkip() }, () => {
    let s: TestServer;
    let dc: Dovecot;
    let id: number;
    before(async () => {
      [s, dc] = await Promise.all([openTestServer(dialect), startDovecot()]);
      await dc.deliver(dc.users[0]!.user, 'Subject: kept\r\n\r\nin the archive\r\n', { folder: 'Archive' });
      // Saved with a folder that does not exist: the stored settings alone fail at the folder step.
      const source = { protocol: 'imap', host: '127.0.0.1', port: dc.ports.imap, tls: 'none', login: dc.users[0]!.user, password: dc.users[0]!.password, folder: 'Missing' };
      const created = await s.call('/api/v1/profiles', { json: { name: 'support', source } });
      assert.equal(created.status, 201, created.text);
      id = created.json.profile.id;
    });
    after(async () => {
      await s?.close();
      await dc?.stop();
    });

    test('without a body the stored settings are checked, as before', async () => {
      const answer = await s.call(`/api/v1/profiles/${id}/check`, { method: 'POST' });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.json.ok, false);
      assert.equal(answer.json.steps.at(-1).step, 'folder');
      assert.equal(answer.json.steps.find((step: { step: string }) => step.step === 'auth').ok, true, 'the stored password was used');
    });

    test('a changed folder is checked with the stored password', async () => {
      const answer = await s.call(`/api/v1/profiles/${id}/check`, { json: { source: { folder: 'Archive' } } });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json.steps.filter((step: { ok: boolean }) => !step.ok), []);
      assert.equal(answer.json.ok, true);
      const stored = await s.call(`/api/v1/profiles/${id}`, { token: 'viewer' });
      assert.equal(stored.json.source.folder, 'Missing', 'checking saves nothing');
    });

    test('the same, streamed as NDJSON', async () => {
      const answer = await s.call(`/api/v1/profiles/${id}/check`, { json: { source: { folder: 'Archive' } }, headers: NDJSON });
      assert.equal(answer.status, 200);
      const lines = linesOf(answer.text);
      assert.deepEqual(lines.at(-1), { ok: true });
      assert.equal(lines.at(-2).step, 'folder');
    });

    test('a changed login needs the password again: the check fails at the password field', async () => {
      for (const headers of [{}, NDJSON]) {
        const answer = await s.call(`/api/v1/profiles/${id}/check`, { json: { source: { login: 'someone-else', folder: 'Archive' } }, headers });
        assert.equal(answer.status, 200, answer.text);
        const steps = 'accept' in headers ? linesOf(answer.text).slice(0, -1) : answer.json.steps;
        assert.equal(steps.length, 1);
        assert.equal(steps[0].step, 'settings');
        assert.equal(steps[0].field, 'password');
        assert.match(steps[0].message, /Password should be given again: the login changed/);
      }
    });

    test('a changed login with its password is checked with that password', async () => {
      const answer = await s.call(`/api/v1/profiles/${id}/check`, { json: { source: { login: dc.users[1]?.user ?? dc.users[0]!.user, password: 'wrong', folder: 'INBOX' } } });
      assert.equal(answer.json.ok, false);
      assert.equal(answer.json.steps.at(-1).step, 'auth');
      assert.equal(answer.json.steps.at(-1).field, 'password');
    });

    test('a viewer may not check, with or without a body', async () => {
      assert.equal((await s.call(`/api/v1/profiles/${id}/check`, { method: 'POST', token: 'viewer' })).status, 403);
      assert.equal((await s.call(`/api/v1/profiles/${id}/check`, { json: { source: { folder: 'Archive' } }, token: 'viewer' })).status, 403);
    });
  });

  describe(`clearing a setting back to its default (${dialect})`, () => {
    let s: TestServer;
    before(async () => {
      s = await openTestServer(dialect);
    });
    after(() => s?.close());

    test('null clears afterImport, afterOther, address and port; the password is kept', async () => {
      const source = { protocol: 'imap', host: 'mail.example.com', port: 1993, tls: 'tls', login: 'support', password: 'secret', afterImport: 'delete', afterOther: 'move:Done', address: 'help@example.com' };
      const created = await s.call('/api/v1/profiles', { json: { name: 'clearing', source } });
      assert.equal(created.status, 201, created.text);
      const id = created.json.profile.id;
      // Port 1993 cleared to the TLS default (993) points the password at another port: asked for again.
      const cleared = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { source: { afterImport: null, afterOther: null, address: null, port: null } } });
      assert.equal(cleared.status, 400, 'port 1993 → 993 sends the password elsewhere');
      assert.equal(cleared.json.errors[0].field, 'password');

      const kept = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { source: { afterImport: null, afterOther: null, address: null } } });
      assert.equal(kept.status, 200, kept.text);
      const view = kept.json.profile.source;
      assert.equal(view.afterImport, undefined);
      assert.equal(view.afterOther, undefined);
      assert.equal(view.address, undefined);
      assert.equal(view.hasPassword, true);
      assert.equal(view.port, 1993);
    });

    test('null on a port that is already the default moves nothing, so the password is not asked for', async () => {
      const source = { protocol: 'pop3', host: 'mail.example.com', port: 995, tls: 'tls', login: 'support', password: 'secret' };
      const id = (await s.call('/api/v1/profiles', { json: { name: 'default-port', source } })).json.profile.id;
      const answer = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { source: { port: null } } });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.json.profile.source.port, undefined);
      assert.equal(answer.json.profile.source.effectivePort, 995);
      assert.equal(answer.json.profile.source.hasPassword, true);
    });

    test('null on a create is the default too; protocol may not be null', async () => {
      const made = await s.call('/api/v1/profiles', { json: { name: 'created-null', source: { protocol: 'pipe', address: null } } });
      assert.equal(made.status, 201, made.text);
      assert.equal(made.json.profile.source.address, undefined);
      const refused = await s.call('/api/v1/profiles', { json: { name: 'no-protocol', source: { protocol: null } } });
      assert.equal(refused.status, 400);
    });
  });
}
