// The rules history, preview and stored-message test through the command line, on SQLite and
// PostgreSQL: profile rules/set-rules with --comment, rules history/show/diff/restore, rules preview,
// rules test --message-id, and messages show naming the rules version.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, cliJsonLines, runCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const V1 = 'then attach to project 1\n';
const V2 = "when subject contains 'bug' then attach to project 2\nthen attach to project 1\n";
const V3 = "when subject contains 'bug' then create request in project 2\nthen attach to project 1\n";

for (const dialect of await dialects()) {
  describe(`rules history on the command line (${dialect})`, () => {
    let t: TestStore;
    let dir: string;
    let env: Record<string, string>;
    const file = (name: string) => join(dir, name);

    before(async () => {
      t = await openTestStore(dialect);
      dir = mkdtempSync(join(tmpdir(), 'mailbind-cli-history-'));
      env = { ...t.env, USER: 'tester' };
      for (const [name, text] of [['v1.txt', V1], ['v2.txt', V2], ['v3.txt', V3], ['bad.txt', 'then atach to project 1\n']]) writeFileSync(file(name), text);
      writeFileSync(file('bug.eml'), makeMessage({ subject: 'bug in login' }));
      writeFileSync(file('hello.eml'), makeMessage({ subject: 'hello there' }));
      for (const name of ['General', 'Development']) await cliJson(['tracker', 'project', 'add', '--name', name], env);
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await t.cleanup();
    });

    test('save with comments, history, show, diff, restore', async () => {
      await cliJson(['profile', 'add', 'support', '--rules-file', file('v1.txt'), '--comment', 'to start'], env);
      await cliJson(['profile', 'rules', 'support', file('v2.txt'), '--comment', 'bugs to development'], env);
      const bad = await runCli(['profile', 'rules', 'support', file('bad.txt'), '--comment', 'typo'], env);
      assert.equal(bad.code, 1);
      await cliJson(['profile', 'set-rules', 'support', file('v3.txt')], env);

      const history = await cliJson<Array<{ version: number; author: string; comment: string | null; current: boolean }>>(['rules', 'history', 'support'], env);
      assert.deepEqual(history.map((v) => [v.version, v.author, v.comment, v.current]), [
        [3, 'cli:tester', null, true],
        [2, 'cli:tester', 'bugs to development', false],
        [1, 'cli:tester', 'to start', false],
      ]);
      const human = await runCli(['rules', 'history', 'support'], env);
      assert.match(human.stdout, /^ {3}3 \* \S+ {2}cli:tester {2}2 lines\n {3}2 {3}\S+ {2}cli:tester {2}2 lines {2}bugs to development\n/);

      const shown = await runCli(['rules', 'show', 'support', '2'], env);
      assert.equal(shown.stdout, V2);
      const diff = await runCli(['rules', 'diff', 'support', '2', '3'], env);
      assert.equal(diff.code, 0, diff.stderr);
      assert.match(diff.stdout, /^--- version 2\n\+\+\+ version 3\n@@ -1,2 \+1,2 @@\n-when subject contains 'bug' then attach to project 2\n\+when subject contains 'bug' then create request in project 2\n/);

      const restored = await runCli(['rules', 'restore', 'support', '1'], env);
      assert.equal(restored.code, 0, restored.stderr);
      assert.equal(restored.stdout, 'restored version 1 as version 4\n');
      const v4 = await cliJson(['rules', 'show', 'support', '4'], env);
      assert.deepEqual([v4.rules, v4.comment, v4.author, v4.current], [V1, 'restored version 1', 'cli:tester', true]);
      const profile = await cliJson(['profile', 'show', 'support'], env);
      assert.deepEqual([profile.rules, profile.rulesVersion], [V1, 4]);

      const missing = await runCli(['rules', 'show', 'support', '9'], env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no rules version 9/);
    });

    test('messages show, rules test --message-id and rules preview', async () => {
      await runCli(['rules', 'restore', 'support', '2', '--comment', 'bugs again'], env);
      const lines = await cliJsonLines(['import', '--profile', 'support', file('bug.eml'), file('hello.eml')], env);
      const [bug, hello] = lines as Array<{ itemId: number; actions: string[] }>;
      assert.deepEqual(bug!.actions, ['attach to project 2']);
      const shown = await cliJson(['messages', 'show', String(bug!.itemId)], env);
      assert.equal(shown.rulesVersion, 5);
      assert.match((await runCli(['messages', 'show', String(bug!.itemId)], env)).stdout, /^rules: version 5$/m);

      const tested = await cliJson(['rules', 'test', '--message-id', String(hello!.itemId), '--profile', 'support'], env);
      assert.deepEqual([tested.itemId, tested.rule, tested.rulesVersion, tested.actions], [hello!.itemId, 2, 5, ['attach to project 1']]);
      assert.deepEqual(tested.notMatched.map((r: { line: number }) => r.line), [1]);
      const explained = await runCli(['rules', 'test', '--message-id', String(hello!.itemId)], env);
      assert.match(explained.stdout, /^rules: version 5\n/);
      assert.match(explained.stdout, /rule 1: no — not matched: subject "hello there" contains none of 'bug'\n/);
      const both = await runCli(['rules', 'test', file('hello.eml'), '--message-id', '1', '--profile', 'support'], env);
      assert.equal(both.code, 1);

      const preview = await cliJson(['rules', 'preview', 'support', '--rules-file', file('v3.txt')], env);
      assert.equal(preview.examined, 2);
      assert.deepEqual(preview.changed.map((c: { itemId: number; after: { actions: string[] } }) => [c.itemId, c.after.actions]), [
        [bug!.itemId, ['create request in project 2']],
      ]);
      const human = await runCli(['rules', 'preview', 'support', '--rules-file', file('v3.txt'), '--last', '1'], env);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /^0 of 1 message would change \(\d+ ms\)\n$/, 'the newest one only: hello, unchanged');
    });
  });
}
