// The UI's files: /assets/ serves regular files only; a folder (/assets/ itself, or one inside it) is
// "no such file" (404), never a failed read (500).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { webUi } from '../../src/server/web-ui.js';

describe('the web UI files', () => {
  let root: string;
  let app: Hono;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'mailbind-web-root-'));
    mkdirSync(join(root, 'assets', 'fonts'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>mailbind</title>');
    writeFileSync(join(root, 'assets', 'app-1234.js'), 'export {};');
    const serve = webUi(root);
    app = new Hono().get('*', async (c) => (await serve(c)) ?? c.text('not the UI', 404));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('a file under /assets/ is served with its type and a long cache', async () => {
    const res = await app.request('/assets/app-1234.js');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /text\/javascript/);
    assert.match(res.headers.get('cache-control')!, /immutable/);
    assert.equal(await res.text(), 'export {};');
  });

  test('/assets/, a folder inside it and a missing file are 404 in words', async () => {
    for (const path of ['/assets/', '/assets/fonts', '/assets/fonts/', '/assets/missing.js']) {
      const res = await app.request(path);
      assert.equal(res.status, 404, `${path}: ${res.status}`);
      assert.match(((await res.json()) as { error: string }).error, /no such file/);
    }
  });
});
