import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkReferences, parseRules, type RuleWarning } from '../../src/rules/index.js';

const projects = new Set([1, 2]);
const teams = new Set([4]);
const refs = { projectExists: (id: number) => projects.has(id), teamExists: (id: number) => teams.has(id) };

describe('checkReferences', () => {
  // [name, rules, warnings]
  const cases: [string, string, RuleWarning[]][] = [
    ['all known', 'when company matched to project 1 then create request in project 2 and attach request to team 4', []],
    ['unknown project in an action', 'then attach to project 1 and attach to project 7', [{ line: 1, column: 48, message: 'project 7 does not exist' }]],
    ['unknown project in a condition', 'when company matched to project 9 then attach to project 1', [{ line: 1, column: 33, message: 'project 9 does not exist' }]],
    [
      'unknown team and project, on a later line',
      '# c\n\nthen create public request in project 3 and attach request to team 5',
      [
        { line: 3, column: 39, message: 'project 3 does not exist' },
        { line: 3, column: 68, message: 'team 5 does not exist' },
      ],
    ],
    ['every occurrence is reported', 'then attach to project 8 attach to project 8', [
      { line: 1, column: 24, message: 'project 8 does not exist' },
      { line: 1, column: 44, message: 'project 8 does not exist' },
    ]],
    ['ids written with leading zeros', 'then attach to project 0008', [{ line: 1, column: 24, message: 'project 8 does not exist' }]],
  ];
  for (const [name, rules, warnings] of cases) {
    test(name, () => {
      const { ruleSet, errors } = parseRules(rules);
      assert.deepEqual(errors, []);
      assert.deepEqual(checkReferences(ruleSet, refs), warnings);
    });
  }

  test('a hand-built rule without source falls back to the clause column', () => {
    const span = { line: 4, column: 6, endColumn: 25 };
    const warnings = checkReferences(
      { rules: [{ line: 4, source: '', when: null, actions: [{ kind: 'attach to project {project}', args: [{ id: 3 }], span }] }] },
      refs,
    );
    assert.deepEqual(warnings, [{ line: 4, column: 6, message: 'project 3 does not exist' }]);
  });

  test('project codes and staff emails are checked when the tracker can say', () => {
    const { ruleSet, errors } = parseRules(
      "when subject matches /(?<c>[A-Z]+)/ then create bug in project ACME and assign to 'Nobody@Example.com' and add tag 'x'\n" +
        "then create task in project {c2} and assign to 'lead@example.com'".replace('{c2}', 'ZED'),
    );
    assert.deepEqual(errors, []);
    const checks = {
      ...refs,
      projectCodeExists: (code: string) => code.toLowerCase() === 'zed',
      staffExists: (email: string) => email === 'lead@example.com',
    };
    assert.deepEqual(checkReferences(ruleSet, checks), [
      { line: 1, column: 64, message: 'no project has the code ACME' },
      { line: 1, column: 83, message: 'no staff user has the email nobody@example.com: the item is left unassigned' },
    ]);
    // Without the optional checks (the web editor before names load), codes and staff are not judged.
    assert.deepEqual(checkReferences(ruleSet, refs), []);
  });
});

describe('reply templates', () => {
  const templates = new Set(['acknowledgement', 'billing']);
  const withTemplates = { ...refs, templateExists: (name: string) => templates.has(name.toLowerCase()) };

  test("a template the profile does not have is a warning at its position; a known one (any case) is not", () => {
    const { ruleSet } = parseRules("then create request in project 1 and reply with template 'Billing'\nthen create request in project 1 and reply with template 'gone'");
    assert.deepEqual(checkReferences(ruleSet, withTemplates), [
      { line: 2, column: 58, message: "the profile has no template named 'gone': the reply is recorded as skipped until one is saved" },
    ]);
  });

  test('without a profile to look in, templates are not checked', () => {
    const { ruleSet } = parseRules("then create request in project 1 and reply with template 'gone'");
    assert.deepEqual(checkReferences(ruleSet, refs), []);
  });
});
