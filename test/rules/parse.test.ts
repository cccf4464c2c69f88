import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatRules, parseRules } from '../../src/rules/index.js';
import { attach, company, create, plain, subject, type PlainRule } from './helpers.js';

const SEED = [
  "when subject contains 'Targetprocess, tp' and company matched to project 2 then attach to project 2 and create request in project 2",
  'when company matched to project 2 then attach to project 2',
  'then attach to project 1 and create request in project 1',
].join('\n');

// [name, source, expected rules]
const valid: [string, string, PlainRule[]][] = [
  [
    'seed example',
    SEED,
    [
      { conditions: [subject('Targetprocess', 'tp'), company(2)], actions: [attach(2), create(2)] },
      { conditions: [company(2)], actions: [attach(2)] },
      { conditions: [], actions: [attach(1), create(1)] },
    ],
  ],
  ['attach only', 'then attach to project 1', [{ conditions: [], actions: [attach(1)] }]],
  ['plain create is private', 'then create request in project 3', [{ conditions: [], actions: [create(3)] }]],
  ['create private', 'then create private request in project 3', [{ conditions: [], actions: [create(3)] }]],
  ['create public', 'then create public request in project 3', [{ conditions: [], actions: [create(3, 'public')] }]],
  [
    'team after create with and',
    'then create public request in project 3 and attach request to team 4',
    [{ conditions: [], actions: [create(3, 'public', 4)] }],
  ],
  [
    'team after create without and',
    'then create request in project 3 attach request to team 4',
    [{ conditions: [], actions: [create(3, 'private', 4)] }],
  ],
  [
    'team then another action',
    'then create request in project 3 and attach request to team 4 and attach to project 5',
    [{ conditions: [], actions: [create(3, 'private', 4), attach(5)] }],
  ],
  [
    'two creates each with a team',
    'then create request in project 1 attach request to team 2 create public request in project 3 attach request to team 4',
    [{ conditions: [], actions: [create(1, 'private', 2), create(3, 'public', 4)] }],
  ],
  [
    'keywords are case-insensitive',
    "When SUBJECT Contains 'x' AND Company MATCHED to Project 2 THEN Attach To Project 2 And CREATE PUBLIC REQUEST IN PROJECT 2",
    [{ conditions: [subject('x'), company(2)], actions: [attach(2), create(2, 'public')] }],
  ],
  [
    'several spaces and tabs between words',
    "  when\t subject   contains\t'x'   then attach \t to    project\t\t7  ",
    [{ conditions: [subject('x')], actions: [attach(7)] }],
  ],
  ['optional and between conditions', "when subject contains 'a' subject contains 'b' then attach to project 1", [
    { conditions: [subject('a'), subject('b')], actions: [attach(1)] },
  ]],
  ['optional and between actions', 'then attach to project 1 attach to project 2', [
    { conditions: [], actions: [attach(1), attach(2)] },
  ]],
  ['dangling and at the end', 'then attach to project 1 and', [{ conditions: [], actions: [attach(1)] }]],
  ['and before then', "when subject contains 'a' and then attach to project 1", [
    { conditions: [subject('a')], actions: [attach(1)] },
  ]],
  ['escaped quote', "when subject contains 'it\\'s' then attach to project 1", [
    { conditions: [subject("it's")], actions: [attach(1)] },
  ]],
  ['double backslash stays two characters', "when subject contains 'a\\\\b' then attach to project 1", [
    { conditions: [subject('a\\\\b')], actions: [attach(1)] },
  ]],
  ['other escapes stay literal', "when subject contains 'a\\nb' then attach to project 1", [
    { conditions: [subject('a\\nb')], actions: [attach(1)] },
  ]],
  ['keyword ending in an escaped quote keeps it', "when subject contains 'abc\\'' then attach to project 1", [
    { conditions: [subject("abc'")], actions: [attach(1)] },
  ]],
  ['keywords are trimmed', "when subject contains '  a ,b  ,  c d ' then attach to project 1", [
    { conditions: [subject('a', 'b', 'c d')], actions: [attach(1)] },
  ]],
  ['trailing comma is harmless', "when subject contains 'Jira,' then attach to project 1", [
    { conditions: [subject('Jira')], actions: [attach(1)] },
  ]],
  ['doubled comma is harmless', "when subject contains 'a,,b' then attach to project 1", [
    { conditions: [subject('a', 'b')], actions: [attach(1)] },
  ]],
  ['backslash before a comma', "when subject contains 'a\\,b' then attach to project 1", [
    { conditions: [subject('a\\', 'b')], actions: [attach(1)] },
  ]],
  ['non-ASCII keyword', "when subject contains 'Ä, 日本' then attach to project 1", [
    { conditions: [subject('Ä', '日本')], actions: [attach(1)] },
  ]],
  ['leading zeros in ids', 'then attach to project 007', [{ conditions: [], actions: [attach(7)] }]],
  ['largest id', 'then attach to project 2147483647', [{ conditions: [], actions: [attach(2147483647)] }]],
  ['repeated conditions are all kept', "when subject contains 'a' and subject contains 'b' and company matched to project 1 and company matched to project 2 then attach to project 1", [
    { conditions: [subject('a'), subject('b'), company(1), company(2)], actions: [attach(1)] },
  ]],
  ['actions keep their written order', 'then create public request in project 3 and attach to project 1 and create request in project 2', [
    { conditions: [], actions: [create(3, 'public'), attach(1), create(2)] },
  ]],
  ['comments and blank lines', '# routing\n\n   \n\t# indented comment\nthen attach to project 1\n', [
    { conditions: [], actions: [attach(1)] },
  ]],
  ['CRLF line endings', 'then attach to project 1\r\nthen attach to project 2\r\n', [
    { conditions: [], actions: [attach(1)] },
    { conditions: [], actions: [attach(2)] },
  ]],
  ['CR-only line endings', 'then attach to project 1\rthen attach to project 2\r\rthen attach to project 3', [
    { conditions: [], actions: [attach(1)] },
    { conditions: [], actions: [attach(2)] },
    { conditions: [], actions: [attach(3)] },
  ]],
  ['no-break space between keyword words', 'then attach\u00a0to project 1', [{ conditions: [], actions: [attach(1)] }]],
  ['byte order mark', '\uFEFFthen attach to project 1', [{ conditions: [], actions: [attach(1)] }]],
  ['empty text', '', []],
];

describe('parseRules accepts', () => {
  for (const [name, source, expected] of valid) {
    test(name, () => {
      const { ruleSet, errors } = parseRules(source);
      assert.deepEqual(errors, []);
      assert.deepEqual(plain(ruleSet), expected);
    });
  }
});

describe('formatRules round trip', () => {
  for (const [name, source] of valid) {
    test(name, () => {
      const first = parseRules(source).ruleSet;
      const text = formatRules(first);
      const again = parseRules(text);
      assert.deepEqual(again.errors, []);
      assert.deepEqual(plain(again.ruleSet), plain(first));
      // canonical text is a fixed point
      assert.equal(formatRules(again.ruleSet), text);
    });
  }
});

describe('rule records', () => {
  test('line numbers count comments, blank lines and every kind of line ending', () => {
    const { ruleSet } = parseRules('# c\r\n\rthen attach to project 1\n\nthen attach to project 2');
    assert.deepEqual(
      ruleSet.rules.map((r) => [r.line, r.source]),
      [
        [3, 'then attach to project 1'],
        [5, 'then attach to project 2'],
      ],
    );
  });

  test('spans cover each clause', () => {
    const source = "  when subject contains 'a, b' and company matched to project 12 then create request in project 3 and attach request to team 4 and attach to project 5";
    const rule = parseRules(source).ruleSet.rules[0]!;
    const text = (s: { column: number; endColumn: number }) => source.slice(s.column - 1, s.endColumn - 1);
    const conditions = rule.when?.kind === 'and' ? rule.when.items : [];
    assert.deepEqual(conditions.map((c) => text(c.span)), [
      "subject contains 'a, b'",
      'company matched to project 12',
    ]);
    assert.deepEqual(rule.actions.map((a) => text(a.span)), [
      'create request in project 3',
      'attach request to team 4',
      'attach to project 5',
    ]);
    assert.ok(rule.actions.every((a) => a.span.line === 1));
  });

  // How fast is measured by `npm run bench` (rules: parse 4,001 rules / 4,000 bad lines), not asserted here.
  test('parses 4000 rules', () => {
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) {
      lines.push(
        `when subject contains 'alpha${i}, beta, gamma' and company matched to project ${i} then attach to project ${i} and create public request in project ${i} and attach request to team ${i}`,
      );
    }
    const { ruleSet, errors } = parseRules(lines.join('\n'));
    assert.equal(errors.length, 0);
    assert.equal(ruleSet.rules.length, 4000);
  });

  test('4000 bad lines give 4000 errors', () => {
    const source = Array.from({ length: 4000 }, () => 'when subjet contains x then atach to project').join('\n');
    const { errors } = parseRules(source);
    assert.equal(errors.length, 4000);
  });
});
