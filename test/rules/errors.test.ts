import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clip } from '../../src/rules/clip.js';
import { actionLeads, conditionLeads, formatRuleError, formatRuleErrorWithSource, parseRules, type RuleError } from '../../src/rules/index.js';

// The TargetProcess phrases come first in every list; the rest of the language follows (see language.ts).
const CONDITIONS = "a condition ('subject contains', 'company matched to project', 'from contains', … 22 in all)";
const ACTIONS = "an action ('attach to project', 'create request in project', 'create public request in project', … 15 in all)";
const CONDITION_LIST = conditionLeads().map((p) => `'${p.join(' ')}'`);
const ACTION_LIST = actionLeads().map((p) => `'${p.join(' ')}'`);
const AFTER_ACTION = ["'and'", ...ACTION_LIST, 'end of line'];

interface Expect {
  column: number;
  endColumn: number;
  text: string;
  message: string;
  suggestion?: string;
  expected?: string[];
}

// [name, one line, expected error]
const invalid: [string, string, Expect][] = [
  ['no when or then', 'attach to project 1', {
    column: 1, endColumn: 7, text: 'attach', message: "expected 'when' or 'then' but found 'attach'",
    suggestion: "did you mean 'then attach to project'?", expected: ["'when'", "'then'"],
  }],
  ['condition without when', "subject contains 'x' then attach to project 1", {
    column: 1, endColumn: 8, text: 'subject', message: "expected 'when' or 'then' but found 'subject'",
    suggestion: "did you mean 'when subject contains'?",
  }],
  ['misspelt when', "whne subject contains 'x' then attach to project 1", {
    column: 1, endColumn: 5, text: 'whne', message: "expected 'when' or 'then' but found 'whne'", suggestion: "did you mean 'when'?",
  }],
  ['when then', 'when then attach to project 1', {
    column: 6, endColumn: 10, text: 'then',
    message: `expected 'not', '(' or ${CONDITIONS} but found 'then': 'when' needs at least one condition`,
    suggestion: "leave out 'when' for a rule that always matches",
    expected: ["'not'", "'('", ...CONDITION_LIST],
  }],
  ['when alone', 'when', { column: 5, endColumn: 5, text: '', message: `expected 'not', '(' or ${CONDITIONS} but found end of line` }],
  ['misspelt condition', "when subjet contains 'x' then attach to project 1", {
    column: 6, endColumn: 12, text: 'subjet', message: `expected 'not', '(' or ${CONDITIONS} but found 'subjet'`, suggestion: "did you mean 'subject contains'?",
  }],
  ['misspelt condition cut short by the string', "when subjet 'x' then attach to project 1", {
    column: 6, endColumn: 12, text: 'subjet', message: `expected 'not', '(' or ${CONDITIONS} but found 'subjet'`, suggestion: "did you mean 'subject contains'?",
  }],
  ['second word of a condition misspelt', "when subject contans 'x' then attach to project 1", {
    column: 14, endColumn: 21, text: 'contans', message: "expected 'contains' or 'matches' after 'subject' but found 'contans'",
    suggestion: "did you mean 'subject contains'?", expected: ["'contains'", "'matches'"],
  }],
  ['transposed letters', 'when comapny matched to project 2 then attach to project 1', {
    column: 6, endColumn: 13, text: 'comapny', message: `expected 'not', '(' or ${CONDITIONS} but found 'comapny'`, suggestion: "did you mean 'company matched to project'?",
  }],
  ['missing word', 'when company matched project 2 then attach to project 1', {
    column: 22, endColumn: 29, text: 'project', message: "expected 'to' after 'company matched' but found 'project'",
    suggestion: "did you mean 'company matched to project'?",
  }],
  ['after a condition, then or and or a condition', "when subject contains 'x' subjet contains 'y' then attach to project 1", {
    column: 27, endColumn: 33, text: 'subjet', message: `expected 'and', 'or', 'then', 'not', '(' or ${CONDITIONS} but found 'subjet'`, suggestion: "did you mean 'subject contains'?",
  }],
  ['after and in the when part', "when subject contains 'x' and subjet contains 'y' then attach to project 1", {
    column: 31, endColumn: 37, text: 'subjet', message: `expected 'then', 'not', '(' or ${CONDITIONS} but found 'subjet'`, suggestion: "did you mean 'subject contains'?",
  }],
  ['missing then', "when subject contains 'x' attach to project 1", {
    column: 27, endColumn: 33, text: 'attach', message: `expected 'and', 'or', 'then', 'not', '(' or ${CONDITIONS} but found 'attach'`, suggestion: "did you mean 'then attach to project'?",
  }],
  ['when part only', "when subject contains 'x'", {
    column: 26, endColumn: 26, text: '', message: `expected 'and', 'or', 'then', 'not', '(' or ${CONDITIONS} but found end of line`,
  }],
  ['misspelt action', 'then atach to project 1', {
    column: 6, endColumn: 11, text: 'atach', message: `expected ${ACTIONS} but found 'atach'`, suggestion: "did you mean 'attach to project'?",
    expected: ACTION_LIST,
  }],
  ['misspelt visibility', 'then create privat request in project 1', {
    column: 13, endColumn: 19, text: 'privat', message: "expected 'request', 'private', 'public', 'user', 'bug' or 'task' after 'create' but found 'privat'",
    suggestion: "did you mean 'create private request in project'?", expected: ["'request'", "'private'", "'public'", "'user'", "'bug'", "'task'"],
  }],
  ['then alone', 'then', { column: 5, endColumn: 5, text: '', message: `expected ${ACTIONS} but found end of line` }],
  ['then and', 'then and attach to project 1', { column: 6, endColumn: 9, text: 'and', message: `expected ${ACTIONS} but found 'and'` }],
  ['and and', "when subject contains 'x' and and company matched to project 1 then attach to project 1", {
    column: 31, endColumn: 34, text: 'and', message: `expected 'then', 'not', '(' or ${CONDITIONS} but found 'and'`,
  }],
  ['missing project id', 'then attach to project', {
    column: 23, endColumn: 23, text: '', message: 'expected a project (its id or code, or a {capture}) but found end of line', expected: ['a project id or code'],
  }],
  ['negative id', 'then attach to project -1', { column: 24, endColumn: 25, text: '-', message: "expected a project (its id or code, or a {capture}) but found '-'" }],
  ['id glued to project', 'then attach to project1', {
    column: 23, endColumn: 24, text: '1', message: "missing space between 'project' and '1'", suggestion: "did you mean 'project 1'?", expected: ['a space'],
  }],
  ['and glued to an id', 'then attach to project 1and attach to project 2', {
    column: 25, endColumn: 28, text: 'and', message: "missing space between '1' and 'and'", suggestion: "did you mean '1 and'?",
  }],
  ['then glued to a string', "when subject contains 'x'then attach to project 1", {
    column: 26, endColumn: 30, text: 'then', message: "missing space between the quoted text 'x' and 'then'",
  }],
  ['huge id', 'then attach to project 99999999999', {
    column: 24, endColumn: 35, text: '99999999999', message: 'project id 99999999999 is too large (the largest id is 2147483647)',
    expected: ['a project id up to 2147483647'],
  }],
  ['huge team id', 'then create request in project 1 and attach request to team 2147483648', {
    column: 61, endColumn: 71, text: '2147483648', message: 'team id 2147483648 is too large (the largest id is 2147483647)',
  }],
  ['trailing text after a then rule', 'then attach to project 1 garbage', {
    column: 26, endColumn: 33, text: 'garbage', message: `expected 'and', ${ACTIONS} or end of line but found 'garbage'`, expected: AFTER_ACTION,
  }],
  ['trailing text after a when rule', "when subject contains 'x' then attach to project 1 garbage here", {
    column: 52, endColumn: 59, text: 'garbage', message: `expected 'and', ${ACTIONS} or end of line but found 'garbage'`,
  }],
  ['trailing comment', 'then attach to project 1 # note', {
    column: 26, endColumn: 27, text: '#', message: `expected 'and', ${ACTIONS} or end of line but found '#'`, suggestion: 'a comment must be on a line of its own',
  }],
  ['after a create action a team is expected too', 'then create request in project 1 team 2', {
    column: 34, endColumn: 38, text: 'team',
    message: `expected 'and', ${ACTIONS} or end of line but found 'team'`,
    expected: AFTER_ACTION,
  }],
  ['missing word in an action', 'then attach project 1', {
    column: 13, endColumn: 20, text: 'project', message: "expected 'to' or 'request' after 'attach' but found 'project'", suggestion: "did you mean 'attach to project'?",
  }],
  ['trailing punctuation', 'then attach to project 1;', { column: 25, endColumn: 26, text: ';', message: `expected 'and', ${ACTIONS} or end of line but found ';'` }],
  ['team right after then', 'then attach request to team 1', {
    column: 6, endColumn: 30, text: 'attach request to team 1', message: "'attach request to team' must come directly after a 'create request' action",
  }],
  ['team after attach', 'then attach to project 1 and attach request to team 2', {
    column: 30, endColumn: 54, text: 'attach request to team 2', message: "'attach request to team' must come directly after a 'create request' action",
    expected: ["'create request in project' right before it"],
  }],
  ['team not directly after its create', 'then create request in project 1 and attach to project 2 and attach request to team 3', {
    column: 62, endColumn: 86, text: 'attach request to team 3', message: "'attach request to team' must come directly after a 'create request' action",
  }],
  ['second team for one request', 'then create request in project 1 attach request to team 2 and attach request to team 3', {
    column: 63, endColumn: 87, text: 'attach request to team 3', message: 'the request already has a team (team 2): a request has one team',
  }],
  ['team in the when part', 'when attach request to team 1 then attach to project 1', {
    column: 6, endColumn: 12, text: 'attach', message: `expected 'not', '(' or ${CONDITIONS} but found 'attach'`,
  }],
  ['double quotes', 'when subject contains "bug, it\'s" then attach to project 1', {
    column: 23, endColumn: 34, text: '"bug, it\'s"', message: 'keywords must be in single quotes, not double quotes',
    suggestion: "did you mean 'bug, it\\'s'?", expected: ['a keyword list in single quotes'],
  }],
  ['unterminated double quotes', 'when subject contains "bug then attach to project 1', {
    column: 23, endColumn: 52, text: '"bug then attach to project 1', message: 'keywords must be in single quotes, not double quotes',
  }],
  ['unterminated string', "when subject contains 'bug then attach to project 1", {
    column: 23, endColumn: 52, text: "'bug then attach to project 1", message: "unterminated keyword list: the closing ' is missing", expected: ["a closing '"],
  }],
  ['string ending in a backslash quote', "when subject contains 'bug\\' then attach to project 1", {
    column: 23, endColumn: 54, text: "'bug\\' then attach to project 1", message: "unterminated keyword list: the closing ' is missing",
    suggestion: "\\' is a quote inside a keyword, not the end of the list",
  }],
  ['SQL-style doubled quote', "when subject contains 'it''s' then attach to project 1", {
    column: 27, endColumn: 30, text: "'s'", message: `expected 'and', 'or', 'then', 'not', '(' or ${CONDITIONS} but found the quoted text 's'`,
    suggestion: "a quote inside a keyword is written \\'",
  }],
  ['missing keyword list', 'when subject contains then attach to project 1', {
    column: 23, endColumn: 27, text: 'then', message: "expected a keyword list in single quotes ('keyword, keyword') but found 'then'",
  }],
  ['empty keyword list', "when subject contains '' then attach to project 1", {
    column: 23, endColumn: 25, text: "''", message: 'empty keyword list: write at least one keyword between the quotes', expected: ['a keyword'],
  }],
  ['comma only', "when subject contains ',' then attach to project 1", {
    column: 23, endColumn: 26, text: "','", message: 'empty keyword list: write at least one keyword between the quotes',
  }],
  ['blank keyword between commas', "when subject contains 'a, ,b' then attach to project 1", {
    column: 26, endColumn: 27, text: ' ', message: 'empty keyword: a keyword of only spaces would match every subject', suggestion: "did you mean 'a, b'?",
  }],
  ['blank keyword after a trailing comma', "when subject contains 'bug, ' then attach to project 1", {
    column: 28, endColumn: 29, text: ' ', message: 'empty keyword: a keyword of only spaces would match every subject', suggestion: "did you mean 'bug'?",
  }],
  ['spaces only', "when subject contains '   ' then attach to project 1", {
    column: 24, endColumn: 27, text: '   ', message: 'empty keyword: a keyword of only spaces would match every subject',
  }],
  ['Kelvin sign is not a k', 'then attach to project 1 \u212Aeep', {
    column: 26, endColumn: 30, text: '\u212Aeep', message: `expected 'and', ${ACTIONS} or end of line but found '\u212Aeep'`,
  }],
];

describe('parseRules rejects', () => {
  for (const [name, source, want] of invalid) {
    test(name, () => {
      const { ruleSet, errors } = parseRules(source);
      assert.equal(ruleSet.rules.length, 0);
      assert.equal(errors.length, 1);
      const e = errors[0]!;
      const got: Partial<RuleError> = {
        column: e.column,
        endColumn: e.endColumn,
        text: e.text,
        message: e.message,
        ...(e.suggestion !== undefined ? { suggestion: e.suggestion } : {}),
        ...(want.expected ? { expected: e.expected } : {}),
      };
      assert.deepEqual(got, want);
      assert.equal(e.line, 1);
      assert.ok(e.expected.length > 0);
      // the span is the text it names
      if (e.text) assert.equal(source.slice(e.column - 1, e.endColumn - 1), e.text);
    });
  }
});

describe('error reporting', () => {
  const source = [
    '# rules',
    'then atach to project 1',
    'then attach to project 1',
    '',
    "when subject contains 'a, ,b' then attach to project 2",
    '\twhen then attach to project 3',
    'then attach to project 4 garbage',
  ].join('\r\n');

  test('every line is checked, each error on its own line and column, good lines still parse', () => {
    const { ruleSet, errors } = parseRules(source);
    assert.deepEqual(ruleSet.rules.map((r) => r.line), [3]);
    assert.deepEqual(
      errors.map((e) => [e.line, e.column, e.text]),
      [
        [2, 6, 'atach'],
        [5, 26, ' '],
        [6, 7, 'then'],
        [7, 26, 'garbage'],
      ],
    );
  });

  test('only the first error of a line is reported', () => {
    const { errors } = parseRules('when subjet contains "x" then atach to project 99999999999 garbage');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.text, 'subjet');
  });

  test('formatRuleError prints FILE:LINE:COL: message (suggestion)', () => {
    const e = parseRules(source).errors[0]!;
    assert.equal(
      formatRuleError(e, 'rules.txt'),
      `rules.txt:2:6: expected ${ACTIONS} but found 'atach' (did you mean 'attach to project'?)`,
    );
    assert.equal(formatRuleError(parseRules(source).errors[3]!), `7:26: expected 'and', ${ACTIONS} or end of line but found 'garbage'`);
  });

  test('formatRuleErrorWithSource adds the line and a caret under the error, tabs kept', () => {
    const errors = parseRules(source).errors;
    assert.equal(
      formatRuleErrorWithSource(errors[2]!, source, 'r'),
      `r:6:7: ${errors[2]!.message} (${errors[2]!.suggestion})\n\twhen then attach to project 3\n\t     ^~~~`,
    );
    const eol = parseRules('then attach to project').errors[0]!;
    assert.equal(formatRuleErrorWithSource(eol, 'then attach to project').split('\n')[2], `${' '.repeat(22)}^`);
  });
});

describe('long lines: messages quote at most 80 characters, positions stay exact', () => {
  const MB = 1_000_000;
  const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
  /** The formatted error's source window and caret lines, and the source text the caret points at. */
  function pointed(e: RuleError, line: string) {
    const [head, shown, caret] = formatRuleErrorWithSource(e, line, 'rules.txt').split('\n') as [string, string, string];
    const at = caret.indexOf('^');
    return { head, shown, caret, at: shown.slice(at) };
  }

  test('a 1 MB line with an error in its middle: a short report that points at the error', () => {
    const half = `${'kw, '.repeat(MB / 8)}kw`;
    const line = `when subject contains '${half}' then atach to project 1 and create request in project 1 ${'x'.repeat(MB / 2)}`;
    const e = parseRules(line).errors[0]!;
    const column = line.indexOf('atach') + 1;
    assert.deepEqual([e.line, e.column, e.endColumn, e.text], [1, column, column + 5, 'atach']);
    const formatted = formatRuleErrorWithSource(e, line, 'rules.txt');
    assert.ok(formatted.length < 340, `${formatted.length} characters`);
    const { head, shown, caret, at } = pointed(e, line);
    assert.ok(head.startsWith(`rules.txt:1:${column}: expected ${ACTIONS} but found 'atach'`), head);
    assert.ok(shown.startsWith('…') && shown.endsWith('…') && shown.length <= 82, shown);
    assert.ok(at.startsWith('atach to project 1'), at);
    assert.match(caret, /^ +\^~~~~$/);
  });

  test('an error at the end of a 1 MB line: the window ends with the line, the caret under the error', () => {
    const line = `when subject contains '${'kw, '.repeat(MB / 4)}kw' then atach to project 1`;
    const e = parseRules(line).errors[0]!;
    assert.equal(e.column, line.length - 'atach to project 1'.length + 1);
    const { shown, caret, at } = pointed(e, line);
    assert.ok(shown.startsWith('…') && shown.endsWith(' then atach to project 1') && shown.length <= 81, shown);
    assert.ok(at.startsWith('atach'), at);
    assert.match(caret, /^ +\^~~~~$/);
  });

  test('a 1 MB unterminated keyword list: quoted and underlined in part, the span still to the end', () => {
    const line = `when subject contains '${'a'.repeat(MB)}`;
    const e = parseRules(line).errors[0]!;
    assert.deepEqual([e.column, e.endColumn], [23, line.length + 1]);
    assert.equal(e.text, `'${'a'.repeat(78)}…`);
    assert.equal(e.message, "unterminated keyword list: the closing ' is missing");
    const formatted = formatRuleErrorWithSource(e, line, 'rules.txt');
    assert.ok(formatted.length < 340, `${formatted.length} characters`);
    const { shown, caret, at } = pointed(e, line);
    assert.ok(at.startsWith("'aaa"), at);
    // the run goes on past the window: it ends under the closing '…'
    assert.equal(caret.length, shown.length);
    assert.ok(shown.endsWith('…') && caret.endsWith('~'));
  });

  // [name, 1 MB line, column of the error]
  const huge: [string, string, number][] = [
    ['a huge word where a keyword belongs', `when ${'subject'.repeat(MB / 7)}`, 6],
    ['a huge word at the start', 'x'.repeat(MB), 1],
    ['huge trailing text', `then attach to project 1 ${'garbage'.repeat(MB / 7)}`, 26],
    ['a huge id', `then attach to project ${'9'.repeat(MB)}`, 24],
    ['a huge double-quoted string', `when subject contains "${'a'.repeat(MB)}" then attach to project 1`, 23],
    ['a huge run of punctuation', `then ${';'.repeat(MB)}`, 6],
    ['a blank keyword after a huge list', `when subject contains '${'abc,'.repeat(MB / 4)} ' then attach to project 1`, MB + 24],
    ['a huge id glued to a word', `then attach to project ${'0'.repeat(MB)}1and attach to project 2`, MB + 25],
  ];
  for (const [name, line, column] of huge) {
    test(name, () => {
      const errors = parseRules(line).errors;
      assert.equal(errors.length, 1);
      const e = errors[0]!;
      assert.equal(e.column, column);
      assert.ok(e.text.length <= 80, `text of ${e.text.length}`);
      // what a message adds to the quote is at most ~130 characters of its own
      assert.ok(e.message.length <= 80 + 170, `message of ${e.message.length}`);
      assert.ok((e.suggestion?.length ?? 0) <= 80 + 20, `suggestion of ${e.suggestion?.length}`);
      const { head, shown, caret, at } = pointed(e, line);
      assert.ok(head.length < 400 && shown.length <= 82 && caret.length <= 82, `${head.length} ${shown.length} ${caret.length}`);
      assert.equal(at.replace(/…$/, ''), line.slice(column - 1, column - 1 + at.replace(/…$/, '').length));
    });
  }

  test('no suggestion is looked for in a huge word, however close its start is', () => {
    const e = parseRules(`when subjet contans ${'x'.repeat(MB)} then attach to project 1`).errors[0]!;
    assert.equal(e.suggestion, "did you mean 'subject contains'?");
    assert.equal(parseRules(`when ${'subjet'.repeat(MB / 6)}`).errors[0]!.suggestion, undefined);
  });

  test('a cut never splits a surrogate pair', () => {
    const line = `${'😀'.repeat(100)} then attach to project 1`;
    const e = parseRules(line).errors[0]!;
    assert.equal(e.text, `${'😀'.repeat(39)}…`);
    assert.ok(!loneSurrogate.test(e.message));
    // windows starting and ending at every parity
    for (const prefix of ['', 'x']) {
      const shifted = `then attach to project 1 ${prefix}${'😀'.repeat(100)}`;
      const err = parseRules(shifted).errors[0]!;
      assert.ok(!loneSurrogate.test(formatRuleErrorWithSource(err, shifted)));
      const long = `${prefix}${'😀'.repeat(200)}`;
      for (let column = 100; column < 104; column++) {
        assert.ok(!loneSurrogate.test(formatRuleErrorWithSource({ ...err, column, endColumn: column + 2 }, long)));
      }
    }
  });

  test('clip keeps the start or the end, at most 80 code units with the ellipsis', () => {
    assert.equal(clip('short'), 'short');
    assert.equal(clip('x'.repeat(80)), 'x'.repeat(80));
    assert.equal(clip('x'.repeat(81)), `${'x'.repeat(79)}…`);
    assert.equal(clip(`a${'😀'.repeat(50)}`, 6), 'a😀😀…');
    assert.equal(clip(`${'😀'.repeat(50)}a`, 6, 'end'), '…😀😀a');
    assert.equal(clip(`${'😀'.repeat(50)}`, 6, 'end'), '…😀😀');
  });
});
