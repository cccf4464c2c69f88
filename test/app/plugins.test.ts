// Plugins (MAILBIND_PLUGINS): every kind of mistake in a plugin is refused at start-up with one line
// naming the plugin and the entry, and nothing of it is installed; a loaded plugin's phrase is then
// the language's own: parsed, formatted canonically, suggested for a misspelling, an error at
// line:column for a bad argument, and evaluated through decide. Plugins are written to a temp folder
// as a site would write them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AppError } from '../../src/app/errors.js';
import { loadPlugins } from '../../src/app/plugins.js';
import { decide } from '../../src/engine/decide.js';
import { parseMessage } from '../../src/mail/index.js';
import { formatRules, keywordPhrases, parseRules, vocabulary, type RuleSet } from '../../src/rules/index.js';
import { discardingSink } from '../../src/store/blobs.js';
import type { ProjectView, TrackerSnapshot } from '../../src/tracker/port.js';
import { makeMessage } from '../support/messages.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/plugins/spam-score.mjs', import.meta.url));

let dir: string;
let written = 0;
before(() => (dir = mkdtempSync(join(tmpdir(), 'mailbind-plugins-'))));
after(() => rmSync(dir, { recursive: true, force: true }));
// Each test starts from the built-in phrases alone.
afterEach(() => loadPlugins(''));

/** Writes a plugin module (a fresh file each time: Node caches modules by URL) and returns its path. */
function plugin(source: string, name = `plugin-${++written}.mjs`): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

const TEST = "test: () => ({ matched: true, reason: 'yes' })";
const STEPS = "steps: () => [{ do: 'tag', tag: 'x' }]";
const condition = (fields: string) => `export const conditions = [{ pattern: 'spam score above {number}', help: 'h', ${fields} }];`;
const action = (fields: string) => `export const actions = [{ pattern: 'mark as junk', help: 'h', ${fields} }];`;

async function refusal(spec: string): Promise<string> {
  const error = await loadPlugins(spec, dir).then(
    () => assert.fail(`${spec} loaded`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof AppError && error.category === 'user', `a user error: ${String(error)}`);
  assert.doesNotMatch(error.message, /\n/, 'one line');
  return error.message;
}

const pluginOrigins = () => [...vocabulary().conditions.values(), ...vocabulary().actions.values()].map((d) => d.origin).filter((o) => o !== 'built-in');

describe('loadPlugins refuses a plugin, naming it and the entry', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a missing file', '', /^plugin \.\/no-such\.mjs: cannot load it: Cannot find module '.*no-such\.mjs'$/],
    ['a syntax error', 'export const conditions = [{', /^plugin \S+: cannot load it: Unexpected end of input \(node --check \S+ shows where\)$/],
    ['a module that throws', "throw new Error('no config');", /^plugin \S+: cannot load it: no config$/],
    ['a default export that is not an object', 'export default 42;', /: its default export must be an object \{ name, conditions, actions \}/],
    ['nothing to add', 'export const name = "empty";', /: it exports no conditions and no actions: a plugin exports \{ conditions: \[\.\.\.\], actions: \[\.\.\.\] \}/],
    ['conditions not an array', 'export const conditions = {};', /: conditions must be an array$/],
    ['actions not an array', 'export const actions = "tag";', /: actions must be an array$/],
    ['an empty name', `export const name = ' '; ${condition(TEST)}`, /: name must be a non-empty string$/],
    ["the name 'built-in'", `export const name = 'built-in'; ${condition(TEST)}`, /: the name 'built-in' belongs to mailbind's own phrases$/],
    ['an entry that is not an object', "export const conditions = ['spam'];", /: condition 1: must be an object \{ pattern, help, test \}$/],
    ['a misspelt property', condition(`${TEST}, hold: () => () => true`), /: condition 1 \('spam score above \{number\}'\): unknown property 'hold' \(a condition has pattern, help, test, holds, check and alsoWritten\)$/],
    ['no pattern', `export const conditions = [{ help: 'h', ${TEST} }];`, /: condition 1: pattern must be a string, such as 'spam score above \{number\}'$/],
    ['no help', `export const conditions = [{ pattern: 'spam score above {number}', ${TEST} }];`, /: condition 1 \('spam score above \{number\}'\): help must be a string: one line for the reference and the editor$/],
    ['test not a function', condition("test: 'yes'"), /: condition 1 \('spam score above \{number\}'\): test must be a function$/],
    ['holds not a function', condition(`${TEST}, holds: true`), /: condition 1 \('spam score above \{number\}'\): holds must be a function$/],
    ['check not a function', condition(`${TEST}, check: 'no'`), /: check must be a function$/],
    ['alsoWritten not patterns', condition(`${TEST}, alsoWritten: [1]`), /: alsoWritten must be an array of patterns$/],
    ['an unknown role', action(`role: 'create-ish', ${STEPS}`), /: action 1 \('mark as junk'\): role must be 'create', 'modifier', 'alone', 'plain', not "create-ish"$/],
    ['steps not a function', action("role: 'modifier', steps: []"), /: action 1 \('mark as junk'\): steps must be a function$/],
    ['onlyFor on a plain action', action(`role: 'plain', onlyFor: ['bug'], ${STEPS}`), /: onlyFor applies to a 'modifier' only$/],
    ['onlyFor naming no kind of item', action(`role: 'modifier', onlyFor: ['epic'], ${STEPS}`), /: onlyFor must be a list of item kinds \('request', 'story', 'bug', 'task'\)$/],
    ['a malformed pattern', `export const conditions = [{ pattern: 'spam score above {score}', help: 'h', ${TEST} }];`, /: condition 1 \('spam score above \{score\}'\): pattern 'spam score above \{score\}': unknown slot \{score\}; slots are keywords, text, regex, project, team, number, size or a\|b choice$/],
    ['a pattern starting with a slot', `export const actions = [{ pattern: '{text} now', help: 'h', role: 'plain', ${STEPS} }];`, /: action 1 \('\{text\} now'\): pattern '\{text\} now' must start with words$/],
    ['a clash with a built-in phrase', `export const actions = [{ pattern: 'mark as junk', help: 'h', role: 'plain', ${STEPS} }, { pattern: 'add tag {text}', help: 'h', role: 'modifier', ${STEPS} }];`, /: action 2 \('add tag \{text\}'\): 'add tag \{text\}' from \S+ is already defined by built-in$/],
    ['a phrase a built-in cannot be told apart from', `export const conditions = [{ pattern: 'size above {number}', help: 'h', ${TEST} }];`, /: condition 1 \('size above \{number\}'\): 'size above \{number\}' \(\S+\) cannot be told apart from another phrase starting 'size above'$/],
  ];
  for (const [what, source, expected] of cases) {
    test(what, async () => {
      const spec = what === 'a missing file' ? './no-such.mjs' : plugin(source);
      const message = await refusal(spec);
      assert.match(message, expected);
      assert.ok(message.startsWith(`plugin ${spec}: `), message);
      assert.deepEqual(pluginOrigins(), [], 'nothing of it is in use');
    });
  }

  test('the example in the brief: the second condition has no test function', async () => {
    plugin(`export const conditions = [
      { pattern: 'spam flagged', help: 'h', ${TEST} },
      { pattern: 'spam score above {number}', help: 'h', test: undefined },
    ];`, 'spam.mjs');
    assert.equal(await refusal('./spam.mjs'), "plugin ./spam.mjs: condition 2 ('spam score above {number}'): test must be a function");
  });

  test('two plugins with the same phrase: the second is named, with the first as the holder', async () => {
    const one = plugin(`export const name = 'one'; ${condition(TEST)}`);
    const two = plugin(`export const name = 'two'; ${condition(TEST)}`);
    assert.equal(
      await refusal(`${one},${two}`),
      `plugin ${two}: condition 1 ('spam score above {number}'): 'spam score above {number}' from two is already defined by one`,
    );
    assert.deepEqual(pluginOrigins(), []);
  });

  test('two plugins with one name, or one plugin named twice, are refused', async () => {
    const one = plugin(`export const name = 'spam'; ${condition(TEST)}`);
    const two = plugin(`export const name = 'spam'; ${action(`role: 'plain', ${STEPS}`)}`);
    assert.equal(await refusal(`${one}, ${two}`), `plugin ${two}: the name 'spam' is already used by plugin ${one}`);
    assert.equal(await refusal(`${one},${one}`), `plugin ${one}: the name 'spam' is already used by plugin ${one}`);
  });

  test('a failed load leaves the plugins loaded before in use', async () => {
    await loadPlugins(EXAMPLE);
    await refusal(plugin(condition("test: 'no'")));
    assert.deepEqual(parseRules('when spam score above 5 then ignore').errors, []);
  });
});

describe('where plugins come from', () => {
  test('an absolute path, a ./path, a path without ./ and a file: URL; the name, or the spec, is the origin', async () => {
    const named = plugin(`export const name = 'junk'; ${action(`role: 'plain', ${STEPS}`)}`, 'junk.mjs');
    plugin(condition(TEST), 'anonymous.mjs');
    for (const spec of [named, './junk.mjs', 'junk.mjs', pathToFileURL(named).href]) {
      const [info] = await loadPlugins(spec, dir);
      assert.deepEqual(info, { spec, name: 'junk', url: pathToFileURL(named).href, conditions: [], actions: ['mark as junk'] });
    }
    const [info] = await loadPlugins(' ./anonymous.mjs , ', dir);
    assert.equal(info!.name, './anonymous.mjs');
    assert.equal([...vocabulary().conditions.values()].find((d) => d.definition.pattern === 'spam score above {number}')?.origin, './anonymous.mjs');
  });

  test("a package installed in the working directory's node_modules, its default export the plugin", async () => {
    const site = join(dir, 'site');
    const pkg = join(site, 'node_modules', 'mailbind-plugin-junk');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'mailbind-plugin-junk', type: 'module', exports: './index.js' }));
    writeFileSync(join(pkg, 'index.js'), `export default { name: 'junk', actions: [{ pattern: 'mark as junk', help: 'h', role: 'plain', ${STEPS} }] };`);
    const [info] = await loadPlugins('mailbind-plugin-junk', site);
    assert.equal(info!.url, pathToFileURL(join(pkg, 'index.js')).href);
    assert.equal(info!.name, 'junk');
    assert.equal(await refusal('mailbind-plugin-none'), "plugin mailbind-plugin-none: cannot load it: Cannot find package 'mailbind-plugin-none'");
  });

  test('an empty MAILBIND_PLUGINS leaves the built-in phrases alone in use', async () => {
    await loadPlugins(EXAMPLE);
    assert.deepEqual(await loadPlugins(' , '), []);
    assert.deepEqual(pluginOrigins(), []);
    assert.match(parseRules('when spam score above 5 then ignore').errors[0]!.message, /or a condition \(.*\) but found 'spam'$/);
  });
});

describe('the example plugin: its phrases are the language’s own', () => {
  // The file's afterEach goes back to the built-in phrases after every test.
  beforeEach(() => loadPlugins(EXAMPLE));

  test('it loads with its name and its two phrases', async () => {
    assert.deepEqual(await loadPlugins(EXAMPLE), [
      { spec: EXAMPLE, name: 'spam-score', url: pathToFileURL(EXAMPLE).href, conditions: ['spam score above {number:score}'], actions: ['tag as spam'] },
    ]);
  });

  test('parsed in any case and spacing, printed in canonical form, and format → parse → format is stable', () => {
    const text = "WHEN Spam  Score ABOVE 5.0 then IGNORE because 'spam'\nwhen spam score above 2.5 and not subject contains 'newsletter' then create request in project 1 and Tag As Spam";
    const { ruleSet, errors } = parseRules(text);
    assert.deepEqual(errors, []);
    const canonical = "when spam score above 5 then ignore because 'spam'\nwhen spam score above 2.5 and not subject contains 'newsletter' then create request in project 1 and tag as spam";
    assert.equal(formatRules(ruleSet), canonical);
    assert.equal(formatRules(parseRules(canonical).ruleSet), canonical);
    assert.deepEqual(ruleSet.rules[0]!.when, {
      kind: 'condition',
      condition: { kind: 'spam score above {number}', args: [5], span: { line: 1, column: 6, endColumn: 27 }, argSpans: [{ line: 1, column: 24, endColumn: 27 }] },
      span: { line: 1, column: 6, endColumn: 27 },
    });
  });

  test('a misspelt plugin phrase gets "did you mean"; a bad argument an error at line:column', () => {
    const [misspelt] = parseRules('then attach to project 1\nwhen spam scroe above 5 then ignore').errors;
    assert.deepEqual([misspelt!.line, misspelt!.column, misspelt!.suggestion], [2, 11, "did you mean 'spam score above'?"]);
    const [bad] = parseRules("when spam score above 'high' then ignore").errors;
    assert.deepEqual(
      [bad!.line, bad!.column, bad!.endColumn, bad!.message, bad!.expected],
      [1, 23, 29, "expected a score (digits) but found the quoted text 'high'", ['a score']],
    );
    const [alone] = parseRules('then tag as spam').errors;
    assert.equal(alone!.message, "'tag as spam' changes the item the rule creates: put a 'create …' action before it");
    const [typo] = parseRules('then create request in project 1 and tag as spma').errors;
    assert.equal(typo!.suggestion, "did you mean 'tag as spam'?");
  });

  test('its words are keywords for highlighting, and the vocabulary names the plugin', () => {
    const words = new Set(keywordPhrases().flat());
    for (const w of ['spam', 'score', 'above', 'tag', 'as']) assert.ok(words.has(w), w);
    assert.equal(vocabulary().actions.get('tag as spam')?.origin, 'spam-score');
  });

  test('evaluated through decide: above 5 ignored with the reason, 2.0 taken by the next rule and tagged, no header or an unreadable one not matched with the reason', async () => {
    const rules = parsed("when spam score above 5 then ignore because 'spam'\nwhen spam score above 1.5 then create request in project 1 and tag as spam\nthen attach to project 1");
    const spam = await decideFor(rules, '7.5');
    assert.deepEqual([spam.outcome, spam.reason, spam.ruleLine, spam.steps, spam.requesters], ['ignored', 'spam', 1, [{ kind: 'ignore', reason: 'spam' }], []]);
    assert.equal(spam.trace.rules[0]!.conditions[0]!.reason, 'the spam score 7.5 is above 5');

    const unsure = await decideFor(rules, '2.0');
    assert.deepEqual([unsure.outcome, unsure.ruleLine], ['imported', 2]);
    assert.deepEqual(unsure.steps, [{ kind: 'create', item: 'request', projectId: 1, visibility: 'private', teamId: null, title: null,
      settings: { state: null, priority: null, severity: null, assignee: null, tags: ['spam'], fields: {} } }]);
    assert.equal(unsure.trace.rules[0]!.conditions[0]!.reason, 'the spam score 2 is not above 5');

    const clean = await decideFor(rules, undefined);
    assert.deepEqual([clean.outcome, clean.ruleLine, clean.steps], ['imported', 3, [{ kind: 'attach', projectId: 1 }]]);
    assert.equal(clean.trace.rules[0]!.conditions[0]!.reason, 'the message has no X-Spam-Score header');
    const odd = await decideFor(rules, 'high');
    assert.equal(odd.ruleLine, 3);
    assert.equal(odd.trace.rules[1]!.conditions[0]!.reason, "the X-Spam-Score header 'high' is not a number");
  });
});

describe("a plugin's code is checked at every call", () => {
  test('a test that throws, a verdict without matched, a step of no known kind: the message fails naming the plugin', async () => {
    const spec = plugin(`export const name = 'flaky';
      export const conditions = [
        { pattern: 'flaky throws', help: 'h', test: () => { throw new Error('lookup table missing'); } },
        { pattern: 'flaky answers', help: 'h', test: () => ({ reason: 'forgot matched' }) },
        { pattern: 'flaky holds', help: 'h', test: () => ({ matched: true, reason: 'r' }), holds: () => () => 'yes' },
      ];
      export const actions = [{ pattern: 'flaky step', help: 'h', role: 'modifier', steps: () => [{ do: 'label', label: 'x' }] }];`);
    await loadPlugins(spec);
    await assert.rejects(decideFor(parsed('when flaky throws then attach to project 1'), '1'), {
      message: "plugin flaky: condition 'flaky throws': test threw: lookup table missing",
    });
    await assert.rejects(decideFor(parsed('when flaky answers then attach to project 1'), '1'), {
      message: 'plugin flaky: condition \'flaky answers\': test returned {"reason":"forgot matched"}: it must return { matched: true or false, reason }',
    });
    await assert.rejects(decideFor(parsed('when flaky holds then attach to project 1'), '1'), {
      message: 'plugin flaky: condition \'flaky holds\': the function from holds returned "yes": it must return true or false',
    });
    await assert.rejects(decideFor(parsed('then create request in project 1 and flaky step'), '1'), {
      message: 'plugin flaky: action \'flaky step\': steps returned the step {"do":"label","label":"x"}: a step\'s \'do\' is one of attach, create, team, set, assign, tag, field, ignore, reply',
    });
  });

  test('a step missing a field is refused by name', async () => {
    await loadPlugins(plugin(`export const actions = [{ pattern: 'mark as junk', help: 'h', role: 'modifier', steps: () => [{ do: 'tag' }] }];`));
    await assert.rejects(decideFor(parsed('then create request in project 1 and mark as junk'), '1'), /steps returned the step \{"do":"tag"\}: 'tag' is missing or of the wrong type for a 'tag' step/);
  });
});

// ---- decide over a small tracker: project 1, nobody known ----

function parsed(text: string): RuleSet {
  const { ruleSet, errors } = parseRules(text);
  assert.deepEqual(errors, []);
  return ruleSet;
}

const PROJECT: ProjectView = { id: 1, name: 'General', live: true, companyId: null, code: null };
const SNAPSHOT: TrackerSnapshot = {
  project: (id) => (id === 1 ? PROJECT : undefined),
  requesterByEmail: () => undefined,
  userByEmail: () => undefined,
  companyByDomain: () => undefined,
  company: () => undefined,
  projectByCode: () => undefined,
  staffByEmail: () => undefined,
  item: () => undefined,
  teamExists: () => false,
  itemOfMessage: () => undefined,
  itemHoldsMessage: () => false,
};

async function decideFor(rules: RuleSet, spamScore: string | undefined) {
  const raw = makeMessage({ subject: 'Cheap watches', headers: spamScore === undefined ? {} : { 'X-Spam-Score': spamScore } });
  const message = await parseMessage(raw, { receivedAt: new Date(), sink: discardingSink });
  return decide(message, rules, SNAPSHOT);
}
