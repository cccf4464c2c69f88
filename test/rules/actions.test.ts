// Every action of src/rules/actions.ts, parsed and evaluated to the Effects the engine carries out: items
// and their settings, projects by id, code or {capture}, and what is left out with a warning instead.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUILTIN_ACTIONS } from '../../src/rules/actions.js';
import { effectToText, evaluateRules, parseRules, vocabulary, type Effect, type Evaluation, type MessageView } from '../../src/rules/index.js';
import { context, view, type World } from './helpers.js';

// Project 1 is ACME, 5 is ZED, 9 is OR1, 8 (OLD) is deleted; 2 has no code.
const WORLD: World = {
  projects: {
    1: { live: true, companyId: null, code: 'ACME' },
    2: { live: true, companyId: null },
    5: { live: true, companyId: null, code: 'ZED' },
    8: { live: false, companyId: null, code: 'OLD' },
    9: { live: true, companyId: null, code: 'OR1' },
  },
  staff: { 'lead@example.com': 7 },
  teams: [4],
};

const tested = new Set<string>();

function run(rules: string, message: MessageView = view({ subject: 'Printer on fire' })): Evaluation {
  const { ruleSet, errors } = parseRules(rules);
  assert.deepEqual(errors, [], rules);
  for (const rule of ruleSet.rules) for (const a of rule.actions) tested.add(a.kind);
  return evaluateRules(ruleSet, context(message, WORLD));
}

const settings = { state: null, priority: null, severity: null, assignee: null, tags: [], fields: {} };
const created = (item: Extract<Effect, { kind: 'create' }>['item'], projectId: number, more: Partial<Extract<Effect, { kind: 'create' }>> = {}): Effect => ({
  kind: 'create',
  item,
  projectId,
  visibility: 'private',
  teamId: null,
  title: null,
  settings,
  ...more,
});

/** [name, rule, message, the effects in words (effectToText), warnings] */
type Row = [string, string, MessageView | undefined, string[], string[]];

function table(rows: Row[]): void {
  for (const [name, rules, message, effects, warnings] of rows) {
    test(name, () => {
      const evaluation = run(rules, message);
      assert.equal(evaluation.matched?.line, 1, evaluation.trace[0]?.reason);
      assert.deepEqual(evaluation.effects.map(effectToText), effects);
      assert.deepEqual(evaluation.warnings, warnings);
    });
  }
}

describe('create: requests, user stories, bugs and tasks', () => {
  test('each kind of item, private unless a public request', () => {
    const { effects } = run(
      [
        'then create request in project 1 and create private request in project 1 and create public request in project 1',
        'and create user story in project 2 and create bug in project 2 and create task in project 2',
      ].join(' '),
    );
    assert.deepEqual(effects, [
      created('request', 1),
      created('request', 1),
      created('request', 1, { visibility: 'public' }),
      created('story', 2),
      created('bug', 2),
      created('task', 2),
    ]);
  });

  table([
    ['with title', "then create bug in project 1 with title 'Printer problem'", undefined, ["create bug in project 1 with title 'Printer problem'"], []],
    ['without a title the title is null: the engine uses the subject', 'then create task in project 1', undefined, ['create task in project 1'], []],
    [
      'a title with the captures filled in, \\{ a brace',
      "when subject matches /\\[(?<code>[A-Z]+)-(?<n>\\d+)\\]/ then create user story in project 1 with title '{code} #{n}: \\{x}'",
      view({ subject: '[ZED-42] rollout' }),
      ["create user story in project 1 with title 'ZED #42: {x}'"],
      [],
    ],
    ['attach to project', 'then attach to project 2 and attach to project acme', undefined, ['attach to project 2', 'attach to project 1'], []],
  ]);
});

describe('projects by id, code and {capture}', () => {
  const tagged = (subject: string) => view({ subject });
  table([
    ['by id', 'then create bug in project 5', undefined, ['create bug in project 5'], []],
    ['by code', 'then create bug in project ZED', undefined, ['create bug in project 5'], []],
    // Codes may hold digits and _; one that starts like a word ending a clause (or, and, with) is still one.
    ['a code starting like a word of the grammar', 'then create bug in project OR1 and create task in project with_2', undefined, ['create bug in project 9'], [
      "left out 'create task in project with_2': project with_2 unknown",
    ]],
    ['by code in any case', 'then create bug in project zed and create task in project Acme', undefined, ['create bug in project 5', 'create task in project 1'], []],
    ['by a capture of letters: a code', 'when subject matches /\\[(?<code>[A-Za-z]+)\\]/ then create task in project {code}', tagged('[ZED] rollout'), ['create task in project 5'], []],
    ['a captured code in any case', 'when subject matches /\\[(?<code>[A-Za-z]+)\\]/ then create task in project {code}', tagged('[acme] x'), ['create task in project 1'], []],
    ['by a capture of digits: an id', 'when subject matches /#(?<p>\\d+)/ then create task in project {p}', tagged('see #5'), ['create task in project 5'], []],
    ['leading zeros of a captured id', 'when subject matches /#(?<p>\\d+)/ then create task in project {p}', tagged('see #0002'), ['create task in project 2'], []],
    [
      'a capture naming no project leaves its action out; the other target stays',
      'when subject matches /\\[(?<code>[A-Z]+)\\]/ then create task in project {code} and attach to project 2',
      tagged('[QQQ] x'),
      ['attach to project 2'],
      ["left out 'create task in project {code}': project QQQ (from {code}) names no project"],
    ],
    [
      'a capture naming a deleted project',
      'when subject matches /\\[(?<code>[A-Z]+)\\]/ then create task in project {code} and attach to project 2',
      tagged('[OLD] x'),
      ['attach to project 2'],
      ["left out 'create task in project {code}': project OLD (from {code}) is deleted"],
    ],
    [
      'an unknown id',
      'then create bug in project 77 and attach to project 2',
      undefined,
      ['attach to project 2'],
      ["left out 'create bug in project 77': project 77 does not exist"],
    ],
    [
      'an unknown code',
      'then create bug in project NOPE and attach to project 2',
      undefined,
      ['attach to project 2'],
      ["left out 'create bug in project NOPE': project NOPE unknown"],
    ],
  ]);

  test('when a capture naming no project was the only target, the rule is skipped and the next one wins', () => {
    const evaluation = run(
      'when subject matches /\\[(?<code>[A-Z]+)\\]/ then create task in project {code}\nthen create request in project 2',
      view({ subject: '[QQQ] rollout' }),
    );
    assert.equal(evaluation.matched?.line, 2);
    assert.equal(evaluation.trace[0]!.reason, 'skipped: no target project is live (project QQQ (from {code}) names no project)');
    assert.deepEqual(evaluation.effects.map(effectToText), ['create request in project 2']);
  });

  test('the trace names the project a capture chose', () => {
    const evaluation = run('when subject matches /\\[(?<code>[A-Z]+)\\]/ then create task in project {code}', view({ subject: '[ZED] rollout' }));
    assert.equal(evaluation.trace[0]!.reason, 'matched: the condition holds; project ZED (from {code}) is live');
  });
});

describe('settings of the item created before them', () => {
  table([
    [
      'assign to a staff user, by email in any case',
      "then create bug in project 1 and assign to 'LEAD@Example.com'",
      undefined,
      ["create bug in project 1 and assign to 'lead@example.com'"],
      [],
    ],
    [
      'assign to an unknown email: left out with a warning, the item still made',
      "then create bug in project 1 and assign to 'nobody@example.com'",
      undefined,
      ['create bug in project 1'],
      ["left out 'assign to 'nobody@example.com'': no staff user has the email nobody@example.com"],
    ],
    ['set priority', "then create task in project 1 and set priority 'High'", undefined, ["create task in project 1 and set priority 'High'"], []],
    ['set severity on a bug', "then create bug in project 1 and set severity 'Critical'", undefined, ["create bug in project 1 and set severity 'Critical'"], []],
    ['set state, normalized', "then create bug in project 1 and set state 'In Progress'", undefined, ["create bug in project 1 and set state 'in-progress'"], []],
    ['add tag', "then create request in project 1 and add tag 'vip'", undefined, ["create request in project 1 and add tag 'vip'"], []],
    [
      'tags once each, whatever their case, the first spelling kept',
      "then create bug in project 1 and add tag 'VIP' and add tag 'vip' and add tag 'Printer' and add tag ' VIP '",
      undefined,
      ["create bug in project 1 and add tag 'VIP' and add tag 'Printer'"],
      [],
    ],
    [
      'a tag from a capture',
      "when subject matches /\\[(?<code>[A-Z]+)\\]/ then create bug in project 1 and add tag 'from-{code}'",
      view({ subject: '[ZED] x' }),
      ["create bug in project 1 and add tag 'from-ZED'"],
      [],
    ],
    [
      'set field',
      "then create task in project 1 and set field 'Customer ID' to 'C-1' and set field 'Region' to 'EU'",
      undefined,
      ["create task in project 1 and set field 'Customer ID' to 'C-1' and set field 'Region' to 'EU'"],
      [],
    ],
    [
      'a later value of a setting wins',
      "then create task in project 1 and set priority 'Low' and set priority 'High' and set field 'a' to '1' and set field 'a' to '2'",
      undefined,
      ["create task in project 1 and set priority 'High' and set field 'a' to '2'"],
      [],
    ],
    [
      'each modifier applies to the item created last before it',
      "then create bug in project 1 and set priority 'High' and create task in project 2 and add tag 'x' and attach to project 5 and set state 'Done'",
      undefined,
      ["create bug in project 1 and set priority 'High'", "create task in project 2 and set state 'done' and add tag 'x'", 'attach to project 5'],
      [],
    ],
  ]);

  test('every setting at once, with the assignee user id', () => {
    const { effects } = run(
      "then create bug in project ACME and set severity 'Critical' and assign to 'lead@example.com' and set state 'open' and set priority ' High ' and add tag 'x' and set field 'Customer ID' to ' C-1 '",
    );
    assert.deepEqual(effects, [
      created('bug', 1, {
        settings: {
          state: 'open',
          priority: 'High',
          severity: 'Critical',
          assignee: { email: 'lead@example.com', userId: 7 },
          tags: ['x'],
          // A field's value is kept as written; its name is trimmed.
          fields: { 'Customer ID': ' C-1 ' },
        },
      }),
    ]);
  });

  // [written, stored]
  const states: [string, string][] = [
    ['New', 'new'],
    ['open', 'open'],
    ['In Progress', 'in-progress'],
    ['in progress', 'in-progress'],
    ['IN-PROGRESS', 'in-progress'],
    ['  in   progress ', 'in-progress'],
    ['Done', 'done'],
    ['CLOSED', 'closed'],
  ];
  for (const [written, stored] of states) {
    test(`set state '${written}' is stored as '${stored}'`, () => {
      const [effect] = run(`then create task in project 1 and set state '${written}'`).effects;
      assert.equal(effect?.kind === 'create' && effect.settings.state, stored);
    });
  }

  test('a state that is not one of the five is an error when the rule is saved', () => {
    const { errors } = parseRules("then create task in project 1 and set state 'Started'");
    assert.equal(errors[0]?.message, "'Started' is not a state: the states are 'New', 'Open', 'In Progress', 'Done', 'Closed'");
  });
});

describe('modifiers after a create that was left out', () => {
  table([
    [
      'are left out too, each with a warning',
      "then create bug in project 77 and set priority 'High' and assign to 'lead@example.com' and attach to project 2",
      undefined,
      ['attach to project 2'],
      [
        "left out 'create bug in project 77': project 77 does not exist",
        "left out 'set priority 'High'': the item it applies to was left out",
        "left out 'assign to 'lead@example.com'': the item it applies to was left out",
      ],
    ],
    [
      'do not reach back to an earlier item',
      "then create task in project 2 and create bug in project OLD and add tag 'x'",
      undefined,
      ['create task in project 2'],
      ["left out 'create bug in project OLD': project OLD is deleted", "left out 'add tag 'x'': the item it applies to was left out"],
    ],
    [
      'a later create is made with its own modifiers',
      "then create bug in project 77 and add tag 'a' and create task in project 2 and add tag 'b'",
      undefined,
      ["create task in project 2 and add tag 'b'"],
      ["left out 'create bug in project 77': project 77 does not exist", "left out 'add tag 'a'': the item it applies to was left out"],
    ],
    [
      "a create whose title's capture has no value",
      "when subject matches /(?<x>zz)?printer/i then create bug in project 1 with title '{x}' and add tag 't' and attach to project 2",
      undefined,
      ['attach to project 2'],
      [
        "left out 'create bug in project 1 with title '{x}'': a {capture} it uses has no value",
        "left out 'add tag 't'': the item it applies to was left out",
      ],
    ],
    [
      "a create whose title's capture has no value, after another create",
      "when subject matches /(?<x>zz)?printer/i then create task in project 2 and create bug in project 1 with title '{x}' and add tag 't'",
      undefined,
      ['create task in project 2'],
      [
        "left out 'create bug in project 1 with title '{x}'': a {capture} it uses has no value",
        "left out 'add tag 't'': the item it applies to was left out",
      ],
    ],
  ]);
});

describe('ignore', () => {
  table([
    ['ignore', 'then ignore', undefined, ['ignore'], []],
    ['ignore because', "when sender is unknown then ignore because 'unknown sender'", undefined, ["ignore because 'unknown sender'"], []],
  ]);

  test('an ignore rule names no project, so it matches on its conditions alone', () => {
    const evaluation = run("when not sender is known then ignore because 'unknown sender'", view({ sender: { email: 'x@nowhere.example' } }));
    assert.deepEqual(evaluation.effects, [{ kind: 'ignore', reason: 'unknown sender' }]);
    assert.equal(evaluation.trace[0]!.reason, 'matched: the condition holds');
    assert.equal(run("when not sender is known then ignore because 'unknown sender'", view({ sender: { is: 'user' } })).matched, null);
  });
});

describe('reply with template', () => {
  table([
    [
      'after the create it answers about',
      "then create request in project 1 and reply with template 'thanks'",
      undefined,
      ['create request in project 1', "reply with template 'thanks'"],
      [],
    ],
    ['a {capture} in the name', "when subject matches /(?<t>billing)/ then create request in project 1 and reply with template '{t}'", view({ subject: 'billing question' }), ['create request in project 1', "reply with template 'billing'"], []],
  ]);
});

describe("TargetProcess's team of a request", () => {
  table([
    ['attach request to team', 'then create request in project 1 and attach request to team 4', undefined, ['create request in project 1 and attach request to team 4'], []],
    ['after a public request, without and', 'then create public request in project 1 attach request to team 4', undefined, ['create public request in project 1 and attach request to team 4'], []],
    [
      'a team that does not exist: the request is made without one',
      'then create request in project 2 and attach request to team 9',
      undefined,
      ['create request in project 2'],
      ['team 9 does not exist: the request in project 2 is created without a team'],
    ],
    [
      'each request its own team',
      'then create request in project 1 attach request to team 4 create request in project 2',
      undefined,
      ['create request in project 1 and attach request to team 4', 'create request in project 2'],
      [],
    ],
  ]);
});

// Runs last (node:test runs a file's tests in order): every kind the rules above were parsed into.
describe('the tests cover the vocabulary', () => {
  test('every built-in action is used above', () => {
    const builtIn = [...vocabulary().actions.values()].filter((d) => d.origin === 'built-in' && d.pattern === d.canonical);
    assert.equal(builtIn.length, BUILTIN_ACTIONS.length);
    assert.deepEqual(builtIn.map((d) => d.canonical.key).filter((kind) => !tested.has(kind)), []);
  });
});
