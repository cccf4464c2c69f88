// Check Connection as it happens: with `Accept: application/x-ndjson` both check routes answer one JSON
// line per step the moment it completes, then `{ok}`; JSON stays the default. A stalled TCP proxy in
// front of Dovecot (a server that accepts and then says nothing) proves the lines are not buffered:
// `tcp` arrives while `greeting` is still pending.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { openTestServer, type TestServer } from '../support/http.js';
import { dialects } from '../support/store.js';
import { startProxy, type TcpProxy } from '../support/tcp-proxy.js';

const NDJSON = { accept: 'application/x-ndjson' };

/** Reads a streamed body line by line, as a client that shows each line at once would. */
function lineReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  return async function next(): Promise<any> {
    for (;;) {
      const newline = buffered.indexOf('\n');
      if (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        return JSON.parse(line);
      }
      const { value, done } = await reader.read();
      if (done) return undefined;
      buffered += decoder.decode(value, { stream: true });
    }
  };
}

const linesOf = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line));

for (const dialect of await dialects()) {
  describe(`Check Connection streamed as NDJSON (${dialect})`, { skip: dovecotSkip() }, () => {
    let s: TestServer;
    let dc: Dovecot;
    let proxy: TcpProxy;
    const imap = () => ({ protocol: 'imap', host: '127.0.0.1', port: dc.ports.imap, tls: 'none', login: dc.users[0]!.user, password: dc.users[0]!.password });
    before(async () => {
      [s, dc] = await Promise.all([openTestServer(dialect), startDovecot()]);
      proxy = await startProxy({ targetPort: dc.ports.imap });
    });
    after(async () => {
      await proxy?.close();
      await s?.close();
      await dc?.stop();
    });

    test('unsaved settings: one line per step, then {ok}; the same steps as the JSON answer', async () => {
      const streamed = await s.call('/api/v1/profiles/check', { json: { source: imap() }, headers: NDJSON });
      assert.equal(streamed.status, 200);
      assert.match(streamed.headers.get('content-type') ?? '', /^application\/x-ndjson/);
      const lines = linesOf(streamed.text);
      assert.deepEqual(lines.at(-1), { ok: true });
      const steps = lines.slice(0, -1);
      assert.deepEqual(steps.map((l) => l.step), ['dns', 'tcp', 'greeting', 'capabilities', 'auth', 'folder']);
      for (const step of steps) assert.deepEqual(Object.keys(step).sort(), ['field', 'message', 'ms', 'ok', 'step']);

      const plain = await s.call('/api/v1/profiles/check', { json: { source: imap() } });
      assert.match(plain.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(plain.json.ok, true);
      assert.deepEqual(plain.json.steps.map((step: { step: string }) => step.step), steps.map((l) => l.step));
    });

    test('each step is sent when it completes: tcp arrives while the greeting is held back', async () => {
      proxy.stall();
      try {
        const response = await s.api.request('/api/v1/profiles/check', {
          method: 'POST',
          headers: { ...NDJSON, authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ source: { ...imap(), port: proxy.port } }),
        });
        assert.equal(response.status, 200);
        const next = lineReader(response.body!);
        assert.equal((await next()).step, 'dns');
        const tcp = await next();
        assert.equal(tcp.step, 'tcp');
        assert.equal(tcp.ok, true);
        // The proxy still holds the greeting: the answer so far cannot have been one buffered body.
        proxy.resume();
        const rest: any[] = [];
        for (let line = await next(); line; line = await next()) rest.push(line);
        assert.deepEqual(rest.map((l) => l.step ?? 'verdict'), ['greeting', 'capabilities', 'auth', 'folder', 'verdict']);
        assert.deepEqual(rest.at(-1), { ok: true });
      } finally {
        proxy.passThrough();
      }
    });

    test('a wrong password: the failing line names the field, and the verdict is {ok: false}', async () => {
      const answer = await s.call('/api/v1/profiles/check', { json: { source: { ...imap(), password: 'wrong' } }, headers: NDJSON });
      const lines = linesOf(answer.text);
      const failed = lines.find((l) => l.ok === false && l.step);
      assert.equal(failed.step, 'auth');
      assert.equal(failed.field, 'password');
      assert.deepEqual(lines.at(-1), { ok: false });
    });

    test('settings that do not validate stream as a failed `settings` step', async () => {
      const answer = await s.call('/api/v1/profiles/check', { json: { source: { protocol: 'imap' } }, headers: NDJSON });
      assert.equal(answer.status, 200);
      const lines = linesOf(answer.text);
      assert.equal(lines[0].step, 'settings');
      assert.equal(lines[0].field, 'host');
      assert.deepEqual(lines.at(-1), { ok: false });
    });

    test('a saved profile streams too; errors before the first step keep their status and JSON body', async () => {
      const created = await s.call('/api/v1/profiles', { json: { name: `streamed-${dialect}`, source: imap() } });
      assert.equal(created.status, 201, created.text);
      const id = created.json.profile.id;
      const lines = linesOf((await s.call(`/api/v1/profiles/${id}/check`, { method: 'POST', headers: NDJSON })).text);
      assert.deepEqual(lines.map((l) => l.step ?? 'verdict'), ['dns', 'tcp', 'greeting', 'capabilities', 'auth', 'folder', 'verdict']);

      const missing = await s.call('/api/v1/profiles/999999/check', { method: 'POST', headers: NDJSON });
      assert.equal(missing.status, 404);
      assert.match(missing.headers.get('content-type') ?? '', /^application\/json/);
      assert.match(missing.json.error, /999999|no profile/i);

      const importOnly = await s.call('/api/v1/profiles', { json: { name: `import-only-${dialect}` } });
      const noMailbox = await s.call(`/api/v1/profiles/${importOnly.json.profile.id}/check`, { method: 'POST', headers: NDJSON });
      assert.equal(noMailbox.status, 400);
      assert.match(noMailbox.json.error, /no mailbox/);
    });

    test('a viewer is refused the streamed check as the JSON one (403)', async () => {
      const answer = await s.call('/api/v1/profiles/check', { json: { source: imap() }, headers: NDJSON, token: 'viewer' });
      assert.equal(answer.status, 403);
    });

    test('the OpenAPI document names both answers of both check routes', async () => {
      const doc = (await s.call('/api/v1/openapi.json')).json;
      for (const path of ['/api/v1/profiles/check', '/api/v1/profiles/{id}/check']) {
        const content = doc.paths[path].post.responses['200'].content;
        assert.deepEqual(Object.keys(content).sort(), ['application/json', 'application/x-ndjson'], path);
      }
    });
  });
}
