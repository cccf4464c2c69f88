// The example plugin through MAILBIND_PLUGINS, end to end on the command line (issue 10, "Done when"),
// on SQLite and PostgreSQL: `rules check` knows its words, and `mailbind import` ignores a message
// with X-Spam-Score 7.5 with the reason 'spam', lets the next rule take one with 2.0 (tagged by the
// plugin's action), and one without the header falls through to the last rule. A broken plugin stops
// every command with one line and exit 1 (deliver: 75), while --help still answers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cliJson, runCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/plugins/spam-score.mjs', import.meta.url));
const RULES = [
  "when spam score above 5 then ignore because 'spam'",
  'when spam score above 1.5 then create request in project 1 and tag as spam',
  'then attach to project 1 and create request in project 1',
  '',
].join('\n');

let files: string;
before(() => (files = mkdtempSync(join(tmpdir(), 'mailbind-cli-plugins-'))));
after(() => rmSync(files, { recursive: true, force: true }));

for (const dialect of await dialects()) {
  describe(`the example plugin through MAILBIND_PLUGINS (${dialect})`, () => {
    let t: TestStore;
    let env: Record<string, string>;
    before(async () => {
      t = await openTestStore(dialect);
      env = { ...t.env, MAILBIND_PLUGINS: EXAMPLE };
    });
    after(() => t.cleanup());

    test('rules check knows the plugin words; without the plugin they are an error at line:column', async () => {
      const rules = join(files, `rules-${dialect}.txt`);
      writeFileSync(rules, RULES);
      const checked = await runCli(['rules', 'check', rules], env);
      assert.equal(checked.code, 0, checked.stderr);
      assert.equal(checked.stdout, `${rules}: 3 rules, no errors\n`);
      const without = await runCli(['rules', 'check', rules], t.env);
      assert.equal(without.code, 1);
      assert.match(without.stderr, new RegExp(`^${rules}:1:6: expected .* but found 'spam'`));
    });

    test('import: 7.5 ignored with the reason spam, 2.0 taken by the next rule and tagged, no header by the last rule', async () => {
      const project = await cliJson<{ id: number }>(['tracker', 'project', 'add', '--name', 'General'], env);
      assert.equal(project.id, 1);
      const rules = join(files, `rules-${dialect}.txt`);
      writeFileSync(rules, RULES);
      const added = await runCli(['profile', 'add', 'spam', '--protocol', 'pipe', '--rules-file', rules], env);
      assert.equal(added.code, 0, added.stderr);

      const mail = (name: string, score: string | undefined) => {
        const path = join(files, `${dialect}-${name}.eml`);
        writeFileSync(path, makeMessage({ subject: name, headers: score === undefined ? {} : { 'X-Spam-Score': score } }));
        return path;
      };
      const paths = [mail('spam', '7.5'), mail('unsure', '2.0'), mail('clean', undefined)];
      const imported = await runCli(['import', '--profile', 'spam', ...paths, '--json'], env);
      assert.equal(imported.code, 0, imported.stderr);
      const lines = imported.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(
        lines.map((l) => [l.subject, l.outcome, l.reason, l.rule, l.actions]),
        [
          ['spam', 'ignored', 'spam', 1, ["ignore because 'spam'"]],
          ['unsure', 'imported', null, 2, ["create request in project 1 and add tag 'spam'"]],
          ['clean', 'imported', null, 3, ['attach to project 1', 'create request in project 1']],
        ],
      );

      const requests = await cliJson<Array<{ name: string; tags: string[] }>>(['tracker', 'list', 'requests'], env);
      assert.deepEqual(requests.map((r) => [r.name, r.tags]).sort(), [['clean', []], ['unsure', ['spam']]]);
      const why = await runCli(['messages', 'show', String(lines[2].itemId)], env);
      assert.match(why.stdout, /the message has no X-Spam-Score header/);
    });
  });
}

describe('a broken plugin', () => {
  let env: Record<string, string>;
  let broken: string;
  before(() => {
    broken = join(files, 'broken.mjs');
    writeFileSync(broken, "export const conditions = [{ pattern: 'spam flagged', help: 'h' }];\n");
    env = { MAILBIND_DATA_DIR: join(files, 'broken-data'), MAILBIND_PLUGINS: `${EXAMPLE},${broken}` };
  });

  test('stops any command with one line naming the plugin and the entry, exit 1', async () => {
    const rules = join(files, 'ok-rules.txt');
    writeFileSync(rules, 'then attach to project 1\n');
    for (const args of [['rules', 'check', rules], ['tracker', 'list', 'projects'], ['worker']]) {
      const r = await runCli(args, env);
      assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', `mailbind: plugin ${broken}: condition 1 ('spam flagged'): test must be a function\n`], args.join(' '));
    }
  });

  test('deliver says so and exits 75, so the mail server keeps the message and tries again', async () => {
    const r = await runCli(['deliver', '--profile', 'support'], env, makeMessage());
    assert.deepEqual([r.code, r.stderr], [75, `mailbind deliver: plugin ${broken}: condition 1 ('spam flagged'): test must be a function\n`]);
  });

  test('--help and --version neither load nor fail for plugins', async () => {
    for (const args of [['--help'], ['rules', 'check', '--help'], ['--version']]) {
      const r = await runCli(args, env);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, '');
    }
  });
});
