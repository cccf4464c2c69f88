// `mailbind serve` as a process, over a real socket: the first start creates the admin from
// MAILBIND_ADMIN_PASSWORD; sign in, create a profile and its intake token, push a message (202) and
// see it processed; /healthz and /readyz answer anonymously; SIGTERM stops it within 10 s.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliJson, startCli, type RunningCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';
import { waitFor } from '../support/wait.js';

describe('mailbind serve over HTTP', () => {
  let dir: string;
  let env: Record<string, string>;
  let serve: RunningCli;
  let base: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mailbind-serve-http-'));
    env = { MAILBIND_DATA_DIR: join(dir, 'data'), MAILBIND_ADMIN_PASSWORD: 'first admin password' };
    await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
    serve = startCli(['serve', '--port', '0'], env);
    base = await waitFor(() => /mailbind is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.output())?.[1], {
      what: () => `serve to listen; its output:\n${serve.output()}`,
      timeoutMs: 20_000,
    });
  });
  after(async () => {
    await serve?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  test('health endpoints answer anonymously; the API does not', async () => {
    assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { ok: true });
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal((await fetch(`${base}/api/v1/profiles`)).status, 401);
  });

  test('sign in as the first admin, create a profile, push a message: 202, then it is processed', async () => {
    const login = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'admin', password: 'first admin password' }),
    });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
    const created = await fetch(`${base}/api/v1/profiles`, {
      method: 'POST', headers,
      body: JSON.stringify({ name: 'pushed', rules: 'then attach to project 1 and create request in project 1' }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const profile = ((await created.json()) as { profile: { id: number } }).profile;
    const tokenAnswer = await fetch(`${base}/api/v1/profiles/${profile.id}/intake-token`, { method: 'POST', headers });
    assert.equal(tokenAnswer.status, 201);
    const { token } = (await tokenAnswer.json()) as { token: string };

    const pushed = await fetch(`${base}/api/v1/intake/${profile.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'message/rfc822' },
      body: makeMessage({ subject: 'Pushed over HTTP' }),
    });
    assert.equal(pushed.status, 202);
    const { itemId } = (await pushed.json()) as { itemId: number };
    const message = await waitFor(async () => {
      const detail = (await (await fetch(`${base}/api/v1/messages/${itemId}`, { headers: { cookie } })).json()) as { outcome: string | null };
      return detail.outcome ? detail : undefined;
    }, { what: () => `the pushed message to be processed; serve said:\n${serve.output()}`, timeoutMs: 15_000 });
    assert.equal(message.outcome, 'imported');
  });

  test('SIGTERM: the process stops accepting and exits 0 within 10 s', async () => {
    const started = Date.now();
    serve.signal('SIGTERM');
    const code = await serve.exited;
    const took = Date.now() - started;
    assert.equal(code, 0, serve.output());
    assert.ok(took < 10_000, `stopped in ${took} ms`);
    assert.match(serve.output(), /"msg":"stopped"/);
    await assert.rejects(fetch(`${base}/healthz`), 'nothing listens any more');
  });
});
