// GET /api/v1/rules/vocabulary on SQLite and PostgreSQL: the phrases plugins add, as data for the web
// editor (which parses rules in the browser); none without plugins; any signed-in principal may read
// it; and what it lists is what the server's own parser then accepts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadPlugins } from '../../src/app/plugins.js';
import { openTestServer, type TestServer } from '../support/http.js';
import { dialects } from '../support/store.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/plugins/spam-score.mjs', import.meta.url));

for (const dialect of await dialects()) {
  describe(`the rule vocabulary over HTTP (${dialect})`, () => {
    let s: TestServer;
    let dir: string;
    before(async () => {
      s = await openTestServer(dialect);
      dir = mkdtempSync(join(tmpdir(), 'mailbind-vocabulary-'));
    });
    after(async () => {
      await loadPlugins('');
      rmSync(dir, { recursive: true, force: true });
      await s.close();
    });

    test('without plugins: no phrases; a viewer may read it, nobody signed out', async () => {
      await loadPlugins('');
      const answer = await s.call('/api/v1/rules/vocabulary', { token: 'viewer' });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { phrases: [] });
      assert.equal((await s.call('/api/v1/rules/vocabulary', { token: null })).status, 401);
    });

    test("with plugins: each phrase once, with its help, role, other spellings and the plugin's name, in load order", async () => {
      const triage = join(dir, 'triage.mjs');
      writeFileSync(triage, `export default {
        name: 'triage',
        conditions: [{ pattern: 'looks urgent', alsoWritten: ['seems urgent'], help: 'urgent words', test: () => ({ matched: false, reason: 'calm' }) }],
        actions: [{ pattern: 'escalate bug [to {text:team}]', help: 'raises severity', role: 'modifier', onlyFor: ['bug'], steps: () => [{ do: 'set', setting: 'severity', value: 'Critical' }] }],
      };\n`);
      await loadPlugins(`${EXAMPLE},${triage}`);
      const answer = await s.call('/api/v1/rules/vocabulary', { token: 'viewer' });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json.phrases, [
        { kind: 'condition', pattern: 'spam score above {number:score}', help: 'the X-Spam-Score header (written by SpamAssassin or rspamd) is above the number', origin: 'spam-score' },
        { kind: 'condition', pattern: 'looks urgent', alsoWritten: ['seems urgent'], help: 'urgent words', origin: 'triage' },
        { kind: 'action', pattern: 'tag as spam', help: "tags the item the rule created with 'spam'", role: 'modifier', origin: 'spam-score' },
        { kind: 'action', pattern: 'escalate bug [to {text:team}]', help: 'raises severity', role: 'modifier', onlyFor: ['bug'], origin: 'triage' },
      ]);

      const validated = await s.call('/api/v1/rules/validate', {
        json: { rules: "when spam score above 5 or seems urgent then create bug in project 1 and escalate bug to 'ops' and tag as spam" },
        token: 'viewer',
      });
      assert.deepEqual([validated.json.ok, validated.json.errors], [true, []]);
    });
  });
}
