// Rules over HTTP: validate (errors at line:column with the suggestion, warnings for unknown ids), the
// dry run of a pasted or stored message, preview of unsaved rules, and the history: three saves, a
// diff, a restore, and the trace of a processed message naming the version that decided it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { importPaths } from '../../src/app/import.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { addProject } from '../../src/app/tracker.js';
import { makeMessage } from '../support/messages.js';
import { dialects } from '../support/store.js';
import { openTestServer, type TestServer } from '../support/http.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const V1 = 'then attach to project 1 and create request in project 1\n';
const V2 = "when subject contains 'invoice' then attach to project 2\nthen attach to project 1 and create request in project 1\n";
const V3 = "when subject contains 'invoice, bill' then attach to project 2\nthen attach to project 1 and create request in project 1\n";

for (const dialect of await dialects()) {
  describe(`rules over HTTP (${dialect})`, () => {
    let s: TestServer;
    let id: number;
    let files: string;
    before(async () => {
      s = await openTestServer(dialect);
      files = mkdtempSync(join(tmpdir(), 'mailbind-rules-http-'));
      await addProject(s.app, { name: 'General' }, cliPrincipal('test'));
      await addProject(s.app, { name: 'Billing' }, cliPrincipal('test'));
      id = (await s.call('/api/v1/profiles', { json: { name: 'support', rules: V1, rulesComment: 'first' } })).json.profile.id;
    });
    async function imported(...paths: string[]) {
      const lines = [];
      for await (const line of importPaths(s.app, 'support', paths)) lines.push(line);
      return lines;
    }
    after(async () => {
      rmSync(files, { recursive: true, force: true });
      await s.close();
    });

    test('validate: an error at line:column with its suggestion, and a warning for an unknown project', async () => {
      const bad = await s.call('/api/v1/rules/validate', { json: { rules: "then attach to project 1\nwhen subject contians 'x' then attach to project 1" } });
      assert.equal(bad.status, 200);
      assert.equal(bad.json.ok, false);
      const [error] = bad.json.errors;
      assert.equal(error.line, 2);
      assert.equal(error.column, 14);
      assert.ok(error.endColumn > error.column);
      assert.match(error.suggestion, /contains/);
      const warned = await s.call('/api/v1/rules/validate', { json: { rules: 'then attach to project 99' }, token: 'viewer' });
      assert.equal(warned.json.ok, true);
      assert.match(warned.json.warnings[0].message, /99/);
    });

    test('history: three saves, a diff, a restore; a processed message names the version that decided it', async () => {
      assert.equal((await s.call(`/api/v1/profiles/${id}/rules`, { method: 'PUT', json: { rules: V2, comment: 'invoices' } })).status, 200);
      assert.equal((await s.call(`/api/v1/profiles/${id}/rules`, { method: 'PUT', json: { rules: V3, comment: 'bills too' } })).status, 200);
      const refused = await s.call(`/api/v1/profiles/${id}/rules`, { method: 'PUT', json: { rules: 'then attach to projct 1' } });
      assert.equal(refused.status, 400);
      assert.equal(refused.json.errors[0].line, 1);
      const versions = (await s.call(`/api/v1/profiles/${id}/rules/versions`, { token: 'viewer' })).json.versions;
      assert.deepEqual(versions.map((v: any) => [v.version, v.comment, v.author]), [[3, 'bills too', 'token:test-admin'], [2, 'invoices', 'token:test-admin'], [1, 'first', 'token:test-admin']]);
      const diff = await s.call(`/api/v1/profiles/${id}/rules/diff?from=2&to=3`);
      assert.match(diff.json.unified, /-when subject contains 'invoice' then/);
      assert.match(diff.json.unified, /\+when subject contains 'invoice, bill' then/);
      const restored = await s.call(`/api/v1/profiles/${id}/rules/versions/2/restore`, { json: { comment: 'back to invoices only' } });
      assert.equal(restored.status, 200, restored.text);
      const v4 = await s.call(`/api/v1/profiles/${id}/rules/versions/4`);
      assert.equal(v4.json.rules, V2);
      assert.equal(v4.json.current, true);

      const file = join(files, 'bill.eml');
      writeFileSync(file, makeMessage({ subject: 'A bill' }));
      const [line] = await imported(file);
      const detail = await s.call(`/api/v1/messages/${(line as any).itemId}`, { token: 'viewer' });
      assert.equal(detail.json.rulesVersion, 4);
      assert.equal(detail.json.trace.rulesVersion, 4);
      const audit = (await s.call('/api/v1/audit')).json.entries.map((e: any) => e.action);
      assert.ok(audit.includes('rules.restore') && audit.includes('rules.save'), audit.join(', '));
    });

    test('test: a pasted message and a stored one get the matched rule, why earlier rules did not match, and the plan', async () => {
      const pasted = await s.call('/api/v1/rules/test', { token: 'viewer', json: { profileId: id, raw: makeMessage({ subject: 'Hello' }).toString() } });
      assert.equal(pasted.status, 200, pasted.text);
      assert.equal(pasted.json.rule, 2);
      assert.equal(pasted.json.notMatched.length, 1);
      assert.deepEqual(pasted.json.actions, ['attach to project 1', 'create request in project 1']);
      const stored = (await s.call(`/api/v1/messages?profileId=${id}`)).json.messages[0];
      const byId = await s.call('/api/v1/rules/test', { json: { messageId: stored.id, rules: 'then attach to project 2' } });
      assert.equal(byId.status, 200, byId.text);
      assert.deepEqual(byId.json.actions, ['attach to project 2']);
      const none = await s.call('/api/v1/rules/test', { json: { profileId: id } });
      assert.equal(none.status, 400);
    });

    test('preview: unsaved rules over the last messages list those whose actions change; nothing is written', async () => {
      const paths = ['Invoice 1', 'Hello', 'Invoice 2'].map((subject, i) => {
        const file = join(files, `p${i}.eml`);
        writeFileSync(file, makeMessage({ subject }));
        return file;
      });
      await imported(...paths);
      const before = (await s.call('/api/v1/messages?limit=500')).json.messages.length;
      const preview = await s.call('/api/v1/rules/preview', { token: 'viewer', json: { profileId: id, rules: V1, last: 10 } });
      assert.equal(preview.status, 200, preview.text);
      assert.deepEqual(preview.json.changed.map((c: any) => c.subject).sort(), ['Invoice 1', 'Invoice 2']);
      for (const change of preview.json.changed) {
        assert.deepEqual(change.before.actions, ['attach to project 2']);
        assert.deepEqual(change.after.actions, ['attach to project 1', 'create request in project 1']);
      }
      assert.equal((await s.call('/api/v1/messages?limit=500')).json.messages.length, before);
    });
  });
}
