// A message's body over HTTP: its text and attachments (linked to their tracker copies), its HTML
// sanitised against a hostile sender and served with its own strict, frameable-by-us-only headers,
// remote images only on request; and the hourly counts the dashboard draws.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importPaths } from '../../src/app/import.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { addProject } from '../../src/app/tracker.js';
import { hostileMessage, REMOTE_IMAGE } from '../support/hostile-mail.js';
import { makeMessage } from '../support/messages.js';
import { dialects } from '../support/store.js';
import { openTestServer, type TestServer } from '../support/http.js';

for (const dialect of await dialects()) {
  describe(`message body over HTTP (${dialect})`, () => {
    let s: TestServer;
    let files: string;
    let hostile: number;
    let withFile: number;
    before(async () => {
      s = await openTestServer(dialect);
      files = mkdtempSync(join(tmpdir(), 'mailbind-body-'));
      await addProject(s.app, { name: 'General' }, cliPrincipal('test'));
      await s.call('/api/v1/profiles', { json: { name: 'support', rules: 'then attach to project 1 and create request in project 1\n' } });
      hostile = await imported('hostile.eml', hostileMessage());
      withFile = await imported('file.eml', makeMessage({ subject: 'With a file', attachment: { name: 'report.pdf', type: 'application/pdf', content: Buffer.from('%PDF-1.4 hello') } }));
    });
    after(async () => {
      rmSync(files, { recursive: true, force: true });
      await s.close();
    });
    async function imported(name: string, raw: Buffer): Promise<number> {
      writeFileSync(join(files, name), raw);
      for await (const line of importPaths(s.app, 'support', [join(files, name)])) if ('itemId' in line) return line.itemId;
      throw new Error(`${name} was not imported`);
    }

    test('the body: headers, the plain text, that it has HTML and how many remote images it would load', async () => {
      const body = await s.call(`/api/v1/messages/${hostile}/body`, { token: 'viewer' });
      assert.equal(body.status, 200, body.text);
      assert.equal(body.json.subject, 'Hostile HTML');
      assert.equal(body.json.from, 'Mallory <mallory@example.net>');
      assert.match(body.json.text, /the invoice is wrong/);
      assert.equal(body.json.hasHtml, true);
      assert.equal(body.json.remoteImages, 1);
      assert.deepEqual(body.json.attachments, []);
    });

    test('an attachment names the tracker attachment it became, which downloads', async () => {
      const body = await s.call(`/api/v1/messages/${withFile}/body`, { token: 'viewer' });
      assert.equal(body.json.hasHtml, false);
      assert.equal(body.json.attachments.length, 1);
      const [file] = body.json.attachments;
      assert.equal(file.fileName, 'report.pdf');
      assert.equal(file.contentType, 'application/pdf');
      assert.equal(typeof file.id, 'number', 'linked to its tracker copy');
      const download = await s.call(`/api/v1/tracker/attachments/${file.id}/content`, { token: 'viewer' });
      assert.equal(download.text, '%PDF-1.4 hello');
    });

    test('hostile HTML comes back without script, handlers, javascript:/data: links, forms, frames, CSS url() or the remote image', async () => {
      const page = await s.call(`/api/v1/messages/${hostile}/body.html`, { token: 'viewer' });
      assert.equal(page.status, 200);
      const html = page.text;
      assert.match(html, /the <b>invoice<\/b> is wrong/);
      assert.match(html, /Kind regards, Mallory/);
      assert.doesNotMatch(html, /<script|window\.pwned|onerror|onclick/i);
      assert.doesNotMatch(html, /javascript:|data:text/i);
      assert.doesNotMatch(html, /<form|<input|<button|<iframe|action=/i);
      assert.doesNotMatch(html, /url\(|198\.51\.100\.7/);
      assert.match(html, /style="color:#0b5cad"/, 'harmless CSS stays');
      assert.match(html, /\[image not loaded: tracking pixel\]/, 'the blocked image says so');
    });

    test('body.html has its own strict headers: sandboxed, no script, images from data: only, frameable by this origin only', async () => {
      const page = await s.call(`/api/v1/messages/${hostile}/body.html`, { token: 'viewer' });
      const csp = page.headers.get('content-security-policy')!;
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /img-src data:;/);
      assert.match(csp, /(^|; )sandbox allow-popups allow-popups-to-escape-sandbox(;|$)/, 'sandboxed, popups alone allowed (links open in a new tab)');
      assert.match(csp, /frame-ancestors 'self'/);
      assert.doesNotMatch(csp, /script-src/);
      assert.equal(page.headers.get('x-frame-options'), 'SAMEORIGIN');
      assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
      assert.match(page.headers.get('content-type')!, /^text\/html/);
      const json = await s.call(`/api/v1/messages/${hostile}/body`, { token: 'viewer' });
      assert.match(json.headers.get('content-security-policy')!, /frame-ancestors 'none'/, 'every other answer stays unframeable');
      assert.equal(json.headers.get('x-frame-options'), 'DENY');
    });

    test('with images=1 the remote image keeps its address and the policy allows http(s) images, nothing more', async () => {
      const page = await s.call(`/api/v1/messages/${hostile}/body.html?images=1`, { token: 'viewer' });
      assert.ok(page.text.includes(`src="${REMOTE_IMAGE}"`));
      assert.doesNotMatch(page.text, /<script|onerror|url\(/i);
      assert.match(page.headers.get('content-security-policy')!, /img-src data: https: http:;/);
    });

    test('a message without HTML, an unknown message, and no sign-in are refused in words', async () => {
      const plain = await s.call(`/api/v1/messages/${withFile}/body.html`, { token: 'viewer' });
      assert.equal(plain.status, 400);
      assert.match(plain.json.error, /no HTML/);
      assert.equal((await s.call('/api/v1/messages/999999/body', { token: 'viewer' })).status, 404);
      assert.equal((await s.call('/api/v1/messages/999999/body.html', { token: 'viewer' })).status, 404);
      assert.equal((await s.call(`/api/v1/messages/${hostile}/body.html`, { token: null })).status, 401);
    });

    test('hourly stats: 24 hours oldest first, this hour counting what was just imported, by outcome', async () => {
      const stats = await s.call('/api/v1/stats/hourly?hours=24', { token: 'viewer' });
      assert.equal(stats.status, 200, stats.text);
      assert.equal(stats.json.hours.length, 24);
      const last = stats.json.hours.at(-1);
      assert.equal(last.at.slice(0, 13), new Date().toISOString().slice(0, 13));
      assert.ok(Date.parse(stats.json.hours[0].at) < Date.parse(last.at));
      assert.equal(last.counts.imported, 2);
      assert.deepEqual(stats.json.hours[0].counts, {});
      assert.equal((await s.call('/api/v1/stats/hourly?hours=0', { token: 'viewer' })).status, 400);
    });
  });
}
