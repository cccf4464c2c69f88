// Rules history on SQLite and PostgreSQL: every save of a profile's rules is a version with its author
// and comment, written with the audit entry; diff and restore work on versions; a refused or unchanged
// save writes none; processing names the version that decided each message.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, type App } from '../../src/app/app.js';
import { readAudit } from '../../src/app/audit.js';
import { AppError } from '../../src/app/errors.js';
import { importPaths, type ImportLine } from '../../src/app/import.js';
import type { ProcessedMessage } from '../../src/app/message-views.js';
import { showMessage } from '../../src/app/messages.js';
import type { Principal } from '../../src/app/principal.js';
import { createProfile, saveRules, showProfile, updateProfile } from '../../src/app/profiles.js';
import { diffRulesVersions, getRulesVersion, listRulesVersions, restoreRulesVersion } from '../../src/app/rules-history.js';
import { addProject } from '../../src/app/tracker.js';
import { createRulesHistoryBackfillMigration } from '../../src/store/migrations/008-rules-history-backfill.js';
import { createProfile as createStoredProfile } from '../../src/store/profiles.js';
import { makeMessage } from '../support/messages.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const alice: Principal = { kind: 'account', name: 'alice', role: 'admin', accountId: 1 };
const ci: Principal = { kind: 'token', name: 'ci', role: 'admin', tokenId: 1 };

const V1 = 'then attach to project 1\n';
const V2 = "when subject contains 'invoice' then attach to project 2\nthen attach to project 1\n";
const V3 = "when subject contains 'invoice, bill' then attach to project 2\nthen attach to project 1\n";

const rules = (text: string, comment?: string) => ({ text, label: 'rules', ...(comment !== undefined ? { comment } : {}) });

for (const dialect of await dialects()) {
  describe(`rules history (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    let files: string;

    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store, { messageIdDomain: 'mailbind.test' });
      files = mkdtempSync(join(tmpdir(), 'mailbind-history-'));
      await addProject(app, { name: 'General' }, alice);
      await addProject(app, { name: 'Billing' }, alice);
    });
    after(async () => {
      rmSync(files, { recursive: true, force: true });
      await t.cleanup();
    });

    test('three saves are three versions; diff shows the change; restore saves version 2 again as version 4', async () => {
      await createProfile(app, { name: 'support', rules: rules(V1, 'first rules') }, alice);
      await saveRules(app, 'support', rules(V2, 'invoices to billing'), ci);
      await saveRules(app, 'support', rules(V3, 'bills too'), alice);

      const listed = await listRulesVersions(app, 'support');
      assert.deepEqual(
        listed.map((v) => [v.version, v.author, v.comment, v.current, v.lines]),
        [[3, 'alice', 'bills too', true, 2], [2, 'token:ci', 'invoices to billing', false, 2], [1, 'alice', 'first rules', false, 1]],
      );
      assert.equal((await getRulesVersion(app, 'support', 2)).rules, V2);

      const diff = await diffRulesVersions(app, 'support', 2, 3);
      assert.equal(diff.hunks.length, 1);
      assert.deepEqual(diff.hunks[0], {
        fromLine: 1, fromLines: 2, toLine: 1, toLines: 2,
        lines: ["-when subject contains 'invoice' then attach to project 2", "+when subject contains 'invoice, bill' then attach to project 2", ' then attach to project 1'],
      });
      assert.match(diff.unified, /^--- version 2\n\+\+\+ version 3\n@@ -1,2 \+1,2 @@\n-when subject contains 'invoice' /);

      const restored = await restoreRulesVersion(app, 'support', 2, alice);
      assert.equal(restored.profile.rulesVersion, 4);
      assert.equal(restored.profile.rules, V2);
      const v4 = await getRulesVersion(app, 'support', 4);
      assert.deepEqual([v4.rules, v4.author, v4.comment, v4.current], [V2, 'alice', 'restored version 2', true]);
      // The versions before stay as they were: history is never rewritten.
      assert.deepEqual((await listRulesVersions(app, 'support')).map((v) => v.version), [4, 3, 2, 1]);
      assert.equal((await getRulesVersion(app, 'support', 3)).rules, V3);

      const audit = (await readAudit(app, { limit: 500 })).entries.filter((e) => e.target === 'profile support').reverse();
      assert.deepEqual(
        audit.map((e) => [e.actor, e.action, e.details?.rulesVersion]),
        [['alice', 'profile.create', 1], ['token:ci', 'rules.save', 2], ['alice', 'rules.save', 3], ['alice', 'rules.restore', 4]],
      );
      assert.equal(audit[3]!.details?.comment, 'restored version 2');
    });

    test('restore with a comment keeps that comment', async () => {
      await createProfile(app, { name: 'restore-comment', rules: rules(V1) }, alice);
      await saveRules(app, 'restore-comment', rules(V2), alice);
      await restoreRulesVersion(app, 'restore-comment', 1, ci, 'invoices went wrong, back to one rule');
      const v3 = await getRulesVersion(app, 'restore-comment', 3);
      assert.deepEqual([v3.rules, v3.author, v3.comment], [V1, 'token:ci', 'invoices went wrong, back to one rule']);
    });

    test('a profile created without rules has version 1 with empty rules', async () => {
      const saved = await createProfile(app, { name: 'empty' }, alice);
      assert.equal(saved.profile.rulesVersion, 1);
      const [only, ...rest] = await listRulesVersions(app, 'empty');
      assert.equal(rest.length, 0);
      assert.deepEqual([only!.version, only!.lines, only!.comment], [1, 0, null]);
      assert.equal((await getRulesVersion(app, 'empty', 1)).rules, '');
    });

    test('rules with errors are refused and create no version; the same text again creates none either', async () => {
      await createProfile(app, { name: 'strict', rules: rules(V1) }, alice);
      const auditBefore = (await readAudit(app, { limit: 500 })).entries.length;
      await assert.rejects(
        () => saveRules(app, 'strict', rules('then atach to project 1\n', 'typo'), alice),
        (error: unknown) => error instanceof AppError && error.category === 'user' && (error.details.ruleErrors?.length ?? 0) > 0,
      );
      const same = await saveRules(app, 'strict', rules(V1, 'no change'), alice);
      assert.match(same.notes.join('\n'), /same as the current ones; no new version/);
      assert.deepEqual((await listRulesVersions(app, 'strict')).map((v) => v.version), [1]);
      assert.equal((await showProfile(app, 'strict')).rules, V1);
      assert.equal((await readAudit(app, { limit: 500 })).entries.length, auditBefore, 'nothing changed, nothing audited');
    });

    test('a settings-only update writes no version; settings and rules together write one', async () => {
      await createProfile(app, { name: 'settings', rules: rules(V1) }, alice);
      await updateProfile(app, 'settings', { source: { protocol: 'pipe', address: 'help@mailbind.test' } }, alice);
      assert.equal((await showProfile(app, 'settings')).rulesVersion, 1);
      await updateProfile(app, 'settings', { source: { address: 'desk@mailbind.test' }, rules: rules(V2, 'both at once') }, alice);
      const [latest] = await listRulesVersions(app, 'settings');
      assert.deepEqual([latest!.version, latest!.comment], [2, 'both at once']);
      const [entry] = (await readAudit(app, { limit: 1 })).entries;
      assert.deepEqual([entry!.action, entry!.details?.rulesVersion, entry!.details?.settings], ['profile.update', 2, ['address']]);
    });

    test('a version that does not exist is not found; a version that is not a number is refused per field', async () => {
      await createProfile(app, { name: 'missing-version', rules: rules(V1) }, alice);
      await assert.rejects(() => getRulesVersion(app, 'missing-version', 7), (e: unknown) => e instanceof AppError && e.category === 'not-found' && /no rules version 7 \(its latest is 1\)/.test(e.message));
      await assert.rejects(() => diffRulesVersions(app, 'missing-version', 1, 0), (e: unknown) => e instanceof AppError && e.category === 'user' && e.details.fields?.[0]?.field === 'to');
    });

    test('processing records the deciding rules version in the item and its trace; after a save, the next message names the new one', async () => {
      await createProfile(app, { name: 'traced', rules: rules(V1) }, alice);
      const first = await importOne('first.eml', makeMessage({ subject: 'invoice 12' }));
      assert.deepEqual(first.actions, ['attach to project 1']);
      await saveRules(app, 'traced', rules(V2), alice);
      const second = await importOne('second.eml', makeMessage({ subject: 'invoice 13' }));
      assert.deepEqual(second.actions, ['attach to project 2']);

      const [a, b] = [await showMessage(app, first.itemId), await showMessage(app, second.itemId)];
      assert.deepEqual([a.rulesVersion, (a.trace as { rulesVersion?: number }).rulesVersion], [1, 1]);
      assert.deepEqual([b.rulesVersion, (b.trace as { rulesVersion?: number }).rulesVersion], [2, 2]);
    });

    test('the migration gives a profile saved before history began its rules as version 1 by "migration"', async () => {
      // A profile written the way mailbind wrote them before history: no version row.
      const old = await createStoredProfile(t.store.db, { name: 'from-before', rules: V2 });
      assert.equal(old.rulesVersion, null);
      // Run by itself: replaying it through the migrator would also need every later migration undone.
      await createRulesHistoryBackfillMigration().up(t.store.db);
      const [v1, ...rest] = await listRulesVersions(app, 'from-before');
      assert.deepEqual([v1!.version, v1!.author, v1!.current, rest.length], [1, 'migration', true, 0]);
      assert.equal((await getRulesVersion(app, 'from-before', 1)).rules, V2);
      // Profiles that had versions got none more.
      assert.deepEqual((await listRulesVersions(app, 'support')).map((v) => v.version), [4, 3, 2, 1]);
      assert.equal((await saveRules(app, 'from-before', rules(V3), alice)).profile.rulesVersion, 2);
    });

    async function importOne(name: string, raw: Buffer): Promise<ProcessedMessage> {
      const path = join(files, name);
      writeFileSync(path, raw);
      const lines: ImportLine[] = [];
      for await (const line of importPaths(app, 'traced', [path])) lines.push(line);
      assert.equal(lines.length, 1);
      assert.ok(!('skipped' in lines[0]!));
      return lines[0] as ProcessedMessage;
    }
  });
}
