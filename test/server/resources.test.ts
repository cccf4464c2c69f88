// The resources over HTTP as a client sees them: profile field errors in words and the write-only
// password; Check Connection's steps; status; the message log's filters, cursor and raw download; the
// tracker's create, field errors and attachment download; metrics for admins and the metrics token;
// the interactive docs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importPaths } from '../../src/app/import.js';
import { makeMessage } from '../support/messages.js';
import { dialects } from '../support/store.js';
import { openTestServer, type TestServer } from '../support/http.js';

for (const dialect of await dialects()) {
  describe(`resources over HTTP (${dialect})`, () => {
    let s: TestServer;
    let files: string;
    before(async () => {
      s = await openTestServer(dialect);
      files = mkdtempSync(join(tmpdir(), 'mailbind-resources-'));
    });
    after(async () => {
      rmSync(files, { recursive: true, force: true });
      await s.close();
    });

    test('a profile with a missing server is refused per field, in words; the password never comes back', async () => {
      const refused = await s.call('/api/v1/profiles', { json: { name: 'mailbox', source: { protocol: 'imap', login: 'a', password: 'pw-1' } } });
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.json.errors.map((e: any) => e.field), ['host']);
      assert.match(refused.json.errors[0].message, /^Server should not be empty/);
      const created = await s.call('/api/v1/profiles', { json: { name: 'mailbox', source: { protocol: 'imap', host: '127.0.0.1', login: 'a', password: 'pw-1' } } });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.json.profile.source.hasPassword, true);
      assert.equal('password' in created.json.profile.source, false);
      const taken = await s.call('/api/v1/profiles', { json: { name: 'MAILBOX' } });
      assert.equal(taken.status, 409);
      const typed = await s.call('/api/v1/profiles', { json: { name: 'typed', source: { protocol: 'imap', port: 'nine' } } });
      assert.equal(typed.status, 400);
      assert.deepEqual(typed.json.errors, [{ field: 'source.port', message: 'should be a number' }]);
    });

    test('pointing a profile at another server needs its password again: the stored one never follows', async () => {
      const created = await s.call('/api/v1/profiles', { json: { name: 'moving', source: { protocol: 'imap', host: 'imap.example.com', login: 'a', password: 'pw-stays-home' } } });
      const id = created.json.profile.id;
      const moved = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { source: { host: 'attacker.example', port: 1143, tls: 'none' } } });
      assert.equal(moved.status, 400);
      assert.equal(moved.json.errors[0].field, 'password');
      assert.match(moved.json.errors[0].message, /^Password should be given again: the host, port, tls changed/);
      assert.equal((await s.call(`/api/v1/profiles/${id}`)).json.source.host, 'imap.example.com', 'nothing changed');
      const same = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { source: { host: 'imap.example.com', pollSeconds: 120 } } });
      assert.equal(same.status, 200, 'the same host and other settings keep the stored password');
      const withPassword = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { source: { host: 'imap2.example.com', password: 'pw-new' } } });
      assert.equal(withPassword.status, 200);
      assert.equal(withPassword.json.profile.source.host, 'imap2.example.com');
    });

    test('Check Connection of unsaved settings: the failing step names the field to fix', async () => {
      const answer = await s.call('/api/v1/profiles/check', { json: { source: { protocol: 'pop3', host: '127.0.0.1', port: 1, tls: 'none', login: 'a', password: 'b' } } });
      assert.equal(answer.status, 200);
      assert.equal(answer.json.ok, false);
      const failed = answer.json.steps.find((step: any) => !step.ok);
      assert.equal(failed.step, 'tcp');
      assert.equal(failed.field, 'port');
      assert.equal(typeof failed.ms, 'number');
      const unsettled = await s.call('/api/v1/profiles/check', { json: { source: { protocol: 'imap' } } });
      assert.equal(unsettled.json.steps[0].step, 'settings');
      assert.equal(unsettled.json.steps[0].field, 'host');
    });

    test('the message log: filters, newest first, cursor pages, free text, raw download as an attachment', async () => {
      await s.call('/api/v1/tracker/projects', { json: { name: 'General' } });
      const created = await s.call('/api/v1/profiles', { json: { name: 'log', rules: "when subject contains 'zzz' then attach to project 1 and create request in project 1" } });
      const profileId = created.json.profile.id;
      const paths = ['zzz one', 'plain two', 'zzz three', '100% sure_thing'].map((subject, i) => {
        const file = join(files, `m${i}.eml`);
        writeFileSync(file, makeMessage({ subject }));
        return file;
      });
      for await (const _ of importPaths(s.app, 'log', paths)) void _;
      const all = await s.call(`/api/v1/messages?profileId=${profileId}`, { token: 'viewer' });
      assert.deepEqual(all.json.messages.map((m: any) => m.subject), ['100% sure_thing', 'zzz three', 'plain two', 'zzz one']);
      const first = await s.call(`/api/v1/messages?profileId=${profileId}&limit=3`);
      assert.equal(first.json.messages.length, 3);
      const second = await s.call(`/api/v1/messages?profileId=${profileId}&limit=3&cursor=${first.json.next}`);
      assert.deepEqual(second.json.messages.map((m: any) => m.subject), ['zzz one']);
      assert.equal(second.json.next, null);
      const imported = await s.call(`/api/v1/messages?profileId=${profileId}&outcome=imported`);
      assert.deepEqual(imported.json.messages.map((m: any) => m.subject), ['zzz three', 'zzz one']);
      const text = await s.call(`/api/v1/messages?q=${encodeURIComponent('0% s')}`);
      assert.deepEqual(text.json.messages.map((m: any) => m.subject), ['100% sure_thing'], 'LIKE wildcards in the text are plain characters');
      const wildcard = await s.call(`/api/v1/messages?q=${encodeURIComponent('_')}`);
      assert.deepEqual(wildcard.json.messages.map((m: any) => m.subject), ['100% sure_thing']);
      const future = await s.call(`/api/v1/messages?since=2999-01-01`);
      assert.equal(future.json.messages.length, 0);
      const longCursor = await s.call(`/api/v1/messages?cursor=99999999999999999999999`);
      assert.equal(longCursor.status, 400);
      const badDate = await s.call(`/api/v1/messages?since=yesterday-ish`);
      assert.equal(badDate.status, 400);
      assert.equal(badDate.json.errors[0].field, 'since');

      const id = all.json.messages[0].id;
      const raw = await s.call(`/api/v1/messages/${id}/raw`, { token: 'viewer' });
      assert.equal(raw.status, 200);
      assert.equal(raw.headers.get('content-type'), 'message/rfc822');
      assert.match(raw.headers.get('content-disposition') ?? '', /^attachment; filename="message-\d+\.eml"$/);
      assert.match(raw.text, /Subject: 100% sure_thing/);

      const status = await s.call(`/api/v1/profiles/${profileId}/status`, { token: 'viewer' });
      assert.equal(status.json.backlog, 0);
      assert.equal(status.json.countsToday.imported, 2);
      assert.equal(status.json.countsToday.skipped, 2);
    });

    test('the tracker: create with field errors in words, and an attachment downloads as an attachment with a safe name', async () => {
      const bad = await s.call('/api/v1/tracker/companies', { json: { name: 'Acme', domains: ['exa mple.com'] } });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.errors[0].field, 'domains');
      const company = await s.call('/api/v1/tracker/companies', { json: { name: 'Acme', domains: ['acme.example'] } });
      assert.equal(company.status, 201, company.text);
      const renamed = await s.call(`/api/v1/tracker/companies/${company.json.id}`, { method: 'PATCH', json: { name: 'Acme Ltd' } });
      assert.equal(renamed.json.name, 'Acme Ltd');

      const file = join(files, 'with-attachment.eml');
      writeFileSync(file, [
        'From: a@acme.example', 'To: support@mailbind.test', 'Subject: zzz with a file', 'Message-ID: <att-1@acme.example>',
        'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'see attached', '--b',
        'Content-Type: text/html', 'Content-Disposition: attachment; filename="../../evil \\"page\\".html"', 'Content-Transfer-Encoding: base64', '',
        Buffer.from('<script>alert(1)</script>').toString('base64'), '--b--', '',
      ].join('\r\n'));
      for await (const _ of importPaths(s.app, 'log', [file])) void _;
      const [attachment] = (await s.call('/api/v1/tracker/attachments')).json.attachments;
      const download = await s.call(`/api/v1/tracker/attachments/${attachment.id}/content`, { token: 'viewer' });
      assert.equal(download.status, 200);
      assert.equal(download.headers.get('content-type'), 'application/octet-stream');
      assert.equal(download.headers.get('x-content-type-options'), 'nosniff');
      const disposition = download.headers.get('content-disposition') ?? '';
      assert.match(disposition, /^attachment; filename="[^"/\\]+"; filename\*=UTF-8''/);
      assert.doesNotMatch(disposition, /\.\.\//);
      assert.equal(download.text, '<script>alert(1)</script>');
      const request = (await s.call('/api/v1/tracker/requests')).json.requests.at(-1);
      const state = await s.call(`/api/v1/tracker/requests/${request.id}`, { method: 'PATCH', json: { state: 'done' } });
      assert.deepEqual(state.json, { before: 'open', state: 'done' });
    });

    test('metrics: for an admin or the metrics token, not for a viewer or anyone else', async () => {
      const admin = await s.call('/metrics');
      assert.equal(admin.status, 200);
      assert.match(admin.text, /mailbind_messages_processed_total\{/);
      assert.equal((await s.call('/metrics', { token: 'viewer' })).status, 403);
      assert.equal((await s.call('/metrics', { token: null })).status, 401);
      process.env.MAILBIND_METRICS_TOKEN = 'scraper-token-123456';
      try {
        assert.equal((await s.call('/metrics', { token: 'scraper-token-123456' })).status, 200);
        assert.equal((await s.call('/api/v1/profiles', { token: 'scraper-token-123456' })).status, 401, 'the metrics token opens nothing else');
      } finally {
        delete process.env.MAILBIND_METRICS_TOKEN;
      }
    });

    test('the interactive docs load from our own files, under the CSP', async () => {
      const page = await s.call('/api/docs', { token: 'viewer' });
      assert.equal(page.status, 200);
      assert.match(page.text, /<script src="\/api\/docs\/swagger-ui-bundle\.js"><\/script>/);
      assert.doesNotMatch(page.text, /<script>[^<]/, 'no inline script');
      assert.doesNotMatch(page.text, /https?:\/\//, 'nothing from a CDN');
      const bundle = await s.call('/api/docs/swagger-ui-bundle.js', { token: 'viewer' });
      assert.equal(bundle.status, 200);
      assert.ok(bundle.text.length > 100_000);
      assert.equal((await s.call('/api/docs/init.js', { token: 'viewer' })).status, 200);
      assert.equal((await s.call('/api/docs/package.json', { token: 'viewer' })).status, 404);
    });
  });
}
