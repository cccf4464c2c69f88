import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actionToText, formatRule, formatRules, parseRules, type Action, type RuleSet } from '../../src/rules/index.js';
import { plain } from './helpers.js';

const span = { line: 1, column: 1, endColumn: 1 };

describe('actionToText', () => {
  const cases: [Action, string][] = [
    [{ kind: 'attach to project {project}', args: [{ id: 2 }], span }, 'attach to project 2'],
    [{ kind: 'create request in project {project} [with title {text}]', args: [{ id: 2 }, null], span }, 'create request in project 2'],
    [{ kind: 'create public request in project {project} [with title {text}]', args: [{ id: 3 }, null], span }, 'create public request in project 3'],
    [{ kind: 'attach request to team {team}', args: [4], span }, 'attach request to team 4'],
  ];
  for (const [action, text] of cases) {
    test(text, () => assert.equal(actionToText(action), text));
  }
  test("TargetProcess's team is written right after its request", () => {
    const rule = parseRules('then create public request in project 3 attach request to team 4').ruleSet.rules[0]!;
    assert.equal(formatRule(rule), 'then create public request in project 3 and attach request to team 4');
  });
});

describe('formatRules', () => {
  // [name, source, canonical text]
  const cases: [string, string, string][] = [
    [
      'lowercase keywords, single spaces, explicit and, comments dropped',
      "# c\n  WHEN Subject  Contains 'a,b'\tcompany matched to project 2 THEN attach to project 2 create private request in project 2\n\n",
      "when subject contains 'a, b' and company matched to project 2 then attach to project 2 and create request in project 2",
    ],
    ['dangling and dropped', 'then attach to project 1 and', 'then attach to project 1'],
    ['and before then dropped', "when subject contains 'x' and then attach to project 1", "when subject contains 'x' then attach to project 1"],
    ['quotes re-escaped', "when subject contains 'it\\'s,  a\\\\b ' then attach to project 1", "when subject contains 'it\\'s, a\\\\b' then attach to project 1"],
    [
      'a keyword ending in a backslash keeps a trailing comma so the quote stays closed',
      "when subject contains 'x, a\\,' then attach to project 1",
      "when subject contains 'x, a\\,' then attach to project 1",
    ],
    ['leading zeros dropped', 'then attach to project 007', 'then attach to project 7'],
    ['one rule per line', 'then attach to project 1\r\rthen attach to project 2\r\n', 'then attach to project 1\nthen attach to project 2'],
    ['nothing', '# only a comment', ''],
  ];
  for (const [name, source, canonical] of cases) {
    test(name, () => {
      const { ruleSet, errors } = parseRules(source);
      assert.deepEqual(errors, []);
      const text = formatRules(ruleSet);
      assert.equal(text, canonical);
      assert.deepEqual(plain(parseRules(text).ruleSet), plain(ruleSet));
    });
  }

  test('keywords with quotes and backslashes survive a round trip when built by hand', () => {
    const ruleSet: RuleSet = {
      rules: [
        {
          line: 1,
          source: '',
          when: { kind: 'condition', span, condition: { kind: 'subject contains {keywords}', args: [["o'neil", 'c:\\', 'x\\\\', "\\\\'"]], span } },
          actions: [{ kind: 'attach to project {project}', args: [{ id: 1 }], span }],
        },
      ],
    };
    const again = parseRules(formatRules(ruleSet));
    assert.deepEqual(again.errors, []);
    assert.deepEqual(plain(again.ruleSet), plain(ruleSet));
  });
});
