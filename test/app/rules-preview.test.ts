// The rules preview and `rules test` of a stored message, on SQLite and PostgreSQL, over 200 messages
// imported the way mail arrives: the preview lists exactly the messages whose actions one changed rule
// changes (before → after, with what was recorded), and neither writes anything.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, type App } from '../../src/app/app.js';
import { dryRun } from '../../src/app/dry-run.js';
import { AppError } from '../../src/app/errors.js';
import { importPaths } from '../../src/app/import.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile, saveRules, showProfile } from '../../src/app/profiles.js';
import { openRawMessage } from '../../src/app/raw-message.js';
import { previewRules } from '../../src/app/rules-preview.js';
import { getInboxItem } from '../../src/store/inbox.js';
import { addProject } from '../../src/app/tracker.js';
import { makeMessage } from '../support/messages.js';
import { setRawAside } from '../support/raw-bytes.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const CURRENT = [
  "when subject contains 'invoice' then attach to project 1",
  "when subject contains 'bug' then create request in project 2",
  "when subject contains 'question' then attach to project 3",
  'then attach to project 1',
  '',
].join('\n');
/** Line 2 changed: bugs go to project 3. Messages that line 1 takes first do not change. */
const CHANGED = CURRENT.replace("'bug' then create request in project 2", "'bug' then create request in project 3");

const SUBJECTS = ['invoice', 'bug', 'question', 'hello', 'invoice and bug'];
const COUNT = 200;

for (const dialect of await dialects()) {
  describe(`rules preview and rules test of stored messages (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    let files: string;
    /** Item id → subject kind, for every imported message. */
    const kinds = new Map<number, string>();

    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store, { messageIdDomain: 'mailbind.test' });
      files = mkdtempSync(join(tmpdir(), 'mailbind-preview-'));
      for (const name of ['General', 'Development', 'Questions']) await addProject(app, { name }, cliPrincipal('test'));
      await createProfile(app, { name: 'support', rules: { text: CURRENT, label: 'rules' } }, cliPrincipal('test'));
      const dir = join(files, 'mail');
      mkdirSync(dir);
      for (let i = 0; i < COUNT; i++) {
        const kind = SUBJECTS[i % SUBJECTS.length]!;
        writeFileSync(join(dir, `${String(i).padStart(3, '0')}.eml`), makeMessage({ subject: `${kind} #${i}`, from: `Person ${i} <p${i}@customer.example>` }));
      }
      for await (const line of importPaths(app, 'support', [dir])) {
        assert.ok(!('skipped' in line) && line.outcome === 'imported', JSON.stringify(line));
        kinds.set(line.itemId, line.subject!.replace(/ #\d+$/, ''));
      }
      assert.equal(kinds.size, COUNT);
    });
    after(async () => {
      rmSync(files, { recursive: true, force: true });
      await t.cleanup();
    });

    /** Every row of the inbox (raw bytes included) and the tracker, the rules history and audit log, and every blob file. */
    async function everything(): Promise<string> {
      const db = t.store.db as any;
      const tables = ['inbox_items', 'raw_messages', 'profiles', 'rules_versions', 'audit_log', 'requesters', 'messages', 'message_projects', 'items', 'item_requesters', 'item_messages', 'comments', 'attachments'];
      const rows: Record<string, unknown> = {};
      for (const table of tables) rows[table] = await db.selectFrom(table).selectAll().orderBy('id').execute().catch(() => db.selectFrom(table).selectAll().execute());
      const blobs = readdirSync(join(t.dataDir, 'blobs'), { recursive: true }).map(String).sort();
      return JSON.stringify({ rows, blobs });
    }

    test('preview of 200 messages lists exactly those whose actions the changed rule changes, and writes nothing', async () => {
      const state = await everything();
      const report = await previewRules(app, { profile: 'support', rules: { text: CHANGED, label: 'new rules' }, last: COUNT });

      const expected = [...kinds].filter(([, kind]) => kind === 'bug').map(([id]) => id).sort((a, b) => b - a);
      assert.equal(expected.length, COUNT / SUBJECTS.length);
      assert.deepEqual(report.changed.map((c) => c.itemId), expected);
      assert.equal(report.examined, COUNT);
      assert.equal(report.unreadable, 0);
      const one = report.changed[0]!;
      assert.match(one.subject!, /^bug #\d+$/);
      assert.deepEqual(one.recorded, { outcome: 'imported', actions: ['create request in project 2'] });
      assert.deepEqual(one.before, { outcome: 'imported', rule: 2, actions: ['create request in project 2'] });
      assert.deepEqual(one.after, { outcome: 'imported', rule: 2, actions: ['create request in project 3'] });
      assert.equal(await everything(), state, 'the preview wrote nothing');
    });

    test('preview looks at the newest N messages only', async () => {
      const report = await previewRules(app, { profile: 'support', rules: { text: CHANGED, label: 'new rules' }, last: 20 });
      const newest = [...kinds.keys()].sort((a, b) => b - a).slice(0, 20);
      assert.equal(report.examined, 20);
      assert.deepEqual(report.changed.map((c) => c.itemId), newest.filter((id) => kinds.get(id) === 'bug'));
    });

    test('"before" is what the current rules decide now, not what was recorded under older rules', async () => {
      // Saved after the messages were processed: 'hello' mail now goes to project 3 under the current rules.
      const helloTo3 = CURRENT.replace("'question' then", "'question, hello' then");
      await saveRules(app, 'support', { text: helloTo3, label: 'rules' }, cliPrincipal('test'));
      try {
        const report = await previewRules(app, { profile: 'support', rules: { text: helloTo3, label: 'same rules' }, last: COUNT });
        assert.deepEqual(report.changed, [], 'the same rules as the current ones change nothing, whatever was recorded');
      } finally {
        await saveRules(app, 'support', { text: CURRENT, label: 'rules' }, cliPrincipal('test'));
      }
    });

    test('preview refuses rules with errors and a count out of range, per field', async () => {
      await assert.rejects(
        () => previewRules(app, { profile: 'support', rules: { text: 'then atach to project 1', label: 'new rules' }, last: 10 }),
        (e: unknown) => e instanceof AppError && e.category === 'user' && (e.details.ruleErrors?.length ?? 0) === 1,
      );
      await assert.rejects(
        () => previewRules(app, { profile: 'support', rules: { text: CHANGED, label: 'new rules' }, last: 0 }),
        (e: unknown) => e instanceof AppError && e.details.fields?.[0]?.field === 'last',
      );
    });

    test('rules test of a stored message by id: the matched rule, why each earlier rule did not match, the plan; nothing written', async () => {
      const [itemId] = [...kinds].find(([, kind]) => kind === 'question')!;
      const state = await everything();
      const view = await dryRun(app, { itemId, rules: { text: CHANGED, label: 'new rules' } });
      assert.equal(view.itemId, itemId);
      assert.equal(view.outcome, 'imported');
      assert.deepEqual(view.matchedRule, { line: 3, source: "when subject contains 'question' then attach to project 3" });
      assert.deepEqual(view.actions, ['attach to project 3']);
      assert.deepEqual(
        view.notMatched.map((r) => [r.line, r.conditions.map((c) => [c.condition, c.matched, c.reason])]),
        [
          [1, [["subject contains 'invoice'", false, `subject "${view.subject}" contains none of 'invoice'`]]],
          [2, [["subject contains 'bug'", false, `subject "${view.subject}" contains none of 'bug'`]]],
        ],
      );
      assert.match(view.notMatched[0]!.reason, /^not matched: subject ".*" contains none of 'invoice'$/);
      assert.equal(view.rulesVersion, null, 'rules tried without saving have no version');
      // The profile's own rules, when none are given: its current version decides.
      const own = await dryRun(app, { itemId });
      assert.deepEqual([own.rule, own.rulesVersion], [3, (await showProfile(app, 'support')).rulesVersion]);
      assert.equal(await everything(), state, 'the dry run wrote nothing');
    });

    test('a stored message whose raw bytes are gone: the preview counts it unreadable, rules test and the download say so', async () => {
      const newest = Math.max(...kinds.keys());
      const item = (await getInboxItem(t.store.db, newest))!;
      const putBack = await setRawAside(t.store, item);
      try {
        const report = await previewRules(app, { profile: 'support', rules: { text: CHANGED, label: 'new rules' }, last: 1 });
        assert.deepEqual([report.examined, report.unreadable, report.changed], [1, 1, []]);
        await assert.rejects(() => dryRun(app, { itemId: newest }),
          (e: unknown) => e instanceof AppError && e.category === 'unavailable' && /the stored bytes of message \d+ are missing from the database and from /.test(e.message));
        await assert.rejects(() => openRawMessage(app, newest),
          (e: unknown) => e instanceof AppError && e.category === 'not-found' && /the raw bytes of message \d+ are no longer stored/.test(e.message));
      } finally {
        await putBack();
      }
      assert.equal((await previewRules(app, { profile: 'support', rules: { text: CHANGED, label: 'new rules' }, last: 1 })).unreadable, 0);
    });

    test('rules test needs the message or a stored id, not both; an unknown id is not found', async () => {
      await assert.rejects(() => dryRun(app, { profile: 'support' }), (e: unknown) => e instanceof AppError && e.category === 'user');
      await assert.rejects(() => dryRun(app, { profile: 'support', raw: makeMessage(), itemId: 1 }), (e: unknown) => e instanceof AppError && e.category === 'user');
      await assert.rejects(() => dryRun(app, { itemId: 999_999 }), (e: unknown) => e instanceof AppError && e.category === 'not-found');
    });
  });
}
