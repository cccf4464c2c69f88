// The rules preview in windows: `before` (the previous window's `lastId`) starts a window below the
// oldest message of the last one, so a client previews a long stretch a window at a time (and shows
// progress between windows); the windows together cover each message once, even when mail arrives
// between two of them. `offset` (skip the newest) still works for old clients.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importPaths } from '../../src/app/import.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { addProject } from '../../src/app/tracker.js';
import { openTestServer, type TestServer } from '../support/http.js';
import { makeMessage } from '../support/messages.js';
import { dialects } from '../support/store.js';

const SAVED = 'then attach to project 1\n';
const EDITED = "when subject contains 'invoice' then attach to project 2\nthen attach to project 1\n";

for (const dialect of await dialects()) {
  describe(`rules preview windows (${dialect})`, () => {
    let s: TestServer;
    let profileId: number;
    let files: string;
    before(async () => {
      s = await openTestServer(dialect);
      files = mkdtempSync(join(tmpdir(), 'mailbind-preview-window-'));
      await addProject(s.app, { name: 'General' }, cliPrincipal('test'));
      await addProject(s.app, { name: 'Billing' }, cliPrincipal('test'));
      profileId = (await s.call('/api/v1/profiles', { json: { name: 'support', rules: SAVED } })).json.profile.id;
      // Oldest first: 'Invoice 0' is stored first, 'Invoice 4' last (the newest).
      const paths = [0, 1, 2, 3, 4].map((i) => {
        const file = join(files, `m${i}.eml`);
        writeFileSync(file, makeMessage({ subject: `Invoice ${i}` }));
        return file;
      });
      for await (const _ of importPaths(s.app, 'support', paths)) void _;
    });
    after(async () => {
      rmSync(files, { recursive: true, force: true });
      await s?.close();
    });

    const preview = (body: Record<string, unknown>) => s.call('/api/v1/rules/preview', { token: 'viewer', json: { profileId, rules: EDITED, ...body } });
    const subjects = (answer: { json: any }) => answer.json.changed.map((c: any) => c.subject);

    async function store(subject: string): Promise<void> {
      const file = join(files, `${subject}.eml`);
      writeFileSync(file, makeMessage({ subject }));
      for await (const _ of importPaths(s.app, 'support', [file])) void _;
    }

    test('before starts below the previous window; lastId is the oldest examined; the windows cover each message once', async () => {
      const first = await preview({ last: 2 });
      assert.equal(first.status, 200, first.text);
      assert.deepEqual([first.json.examined, subjects(first)], [2, ['Invoice 4', 'Invoice 3']]);
      assert.equal(first.json.lastId, first.json.changed[1].itemId, 'lastId is the oldest message examined');
      const second = await preview({ last: 2, before: first.json.lastId });
      assert.deepEqual([second.json.examined, subjects(second)], [2, ['Invoice 2', 'Invoice 1']]);
      const last = await preview({ last: 2, before: second.json.lastId });
      assert.deepEqual([last.json.examined, subjects(last)], [1, ['Invoice 0']], 'the last window is short: nothing older is left');
      const beyond = await preview({ last: 2, before: last.json.lastId });
      assert.deepEqual([beyond.json.examined, beyond.json.changed, beyond.json.lastId], [0, [], null]);
    });

    test('offset skips the newest messages; consecutive windows cover each message once', async () => {
      const first = await preview({ last: 2 });
      assert.equal(first.status, 200, first.text);
      assert.deepEqual([first.json.examined, subjects(first)], [2, ['Invoice 4', 'Invoice 3']]);
      const second = await preview({ last: 2, offset: 2 });
      assert.deepEqual([second.json.examined, subjects(second)], [2, ['Invoice 2', 'Invoice 1']]);
      const last = await preview({ last: 2, offset: 4 });
      assert.deepEqual([last.json.examined, subjects(last)], [1, ['Invoice 0']], 'the last window is short: nothing older is left');
      const beyond = await preview({ last: 2, offset: 5 });
      assert.deepEqual([beyond.json.examined, beyond.json.changed], [0, []]);
    });

    test('a negative offset and a before that is no id are refused, named at their fields', async () => {
      const refused = await preview({ last: 2, offset: -1 });
      assert.equal(refused.status, 400);
      assert.ok(refused.json.errors.some((e: any) => e.field === 'offset'), refused.text);
      const before = await preview({ last: 2, before: 0 });
      assert.equal(before.status, 400);
      assert.ok(before.json.errors.some((e: any) => e.field === 'before'), before.text);
    });

    test('the OpenAPI document describes before, lastId and offset', async () => {
      const doc = (await s.call('/api/v1/openapi.json')).json;
      assert.ok(doc.components.schemas.RulesPreviewRequest.properties.before, 'before is in RulesPreviewRequest');
      assert.ok(doc.components.schemas.RulesPreviewRequest.properties.offset, 'offset is in RulesPreviewRequest');
      assert.ok(doc.components.schemas.RulesPreview.properties.lastId, 'lastId is in RulesPreview');
    });

    // Last: it stores a message, which the tests above do not expect.
    test('a message stored between two windows is neither examined nor shifts the next window', async () => {
      const first = await preview({ last: 2 });
      assert.deepEqual(subjects(first), ['Invoice 4', 'Invoice 3']);
      await store('Invoice 5 (arrived mid-run)');
      const seen = [...subjects(first)];
      for (let before = first.json.lastId; ; ) {
        const window = await preview({ last: 2, before });
        seen.push(...subjects(window));
        if (window.json.examined < 2) break;
        before = window.json.lastId;
      }
      assert.deepEqual(seen, ['Invoice 4', 'Invoice 3', 'Invoice 2', 'Invoice 1', 'Invoice 0'], 'each once, the oldest included, the newcomer not');
    });
  });
}
