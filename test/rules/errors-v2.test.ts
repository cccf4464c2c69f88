// Errors for what rule language v2 added (issue 10): where (line, column, the text underlined), what was
// expected there, and a suggestion for a misspelt phrase. The TargetProcess subset's errors are in
// errors.test.ts; the lists of phrases are built the same way here.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actionLeads, conditionLeads, parseRules, type RuleError } from '../../src/rules/index.js';

const CONDITIONS = "a condition ('subject contains', 'company matched to project', 'from contains', … 22 in all)";
const ACTIONS = "an action ('attach to project', 'create request in project', 'create public request in project', … 15 in all)";
const CONDITION_LIST = conditionLeads().map((p) => `'${p.join(' ')}'`);
const ACTION_LIST = actionLeads().map((p) => `'${p.join(' ')}'`);
const STATES = "'New', 'Open', 'In Progress', 'Done', 'Closed'";
const CAPTURE_MESSAGE = "a {name} stands for a named group (?<name>…) of a 'matches' condition";

interface Expect {
  column: number;
  endColumn: number;
  text: string;
  message: string;
  suggestion?: string;
  expected?: string[];
}

/** [name, one line, its error]; a row without `suggestion` asserts there is none. */
type Row = [string, string, Expect];

function table(rows: Row[]): void {
  for (const [name, source, want] of rows) {
    test(name, () => {
      const { ruleSet, errors } = parseRules(`# a comment first, so the error is on line 2\n${source}`);
      assert.equal(ruleSet.rules.length, 0);
      assert.equal(errors.length, 1);
      const e: RuleError = errors[0]!;
      assert.equal(e.line, 2);
      assert.deepEqual(
        {
          column: e.column,
          endColumn: e.endColumn,
          text: e.text,
          message: e.message,
          ...(e.suggestion !== undefined ? { suggestion: e.suggestion } : {}),
          ...(want.expected ? { expected: e.expected } : {}),
        },
        want,
      );
      assert.ok(e.expected.length > 0);
      // The underlined text is the source at the error's columns.
      assert.equal(source.slice(e.column - 1, e.endColumn - 1), e.text);
    });
  }
}

describe('misspelt phrases: what was expected, and did you mean', () => {
  table([
    ['from contians', "when from contians 'x' then ignore", {
      column: 11, endColumn: 19, text: 'contians', message: "expected 'contains' or 'matches' after 'from' but found 'contians'",
      suggestion: "did you mean 'from contains'?", expected: ["'contains'", "'matches'"],
    }],
    ['subject matchs', 'when subject matchs /x/ then ignore', {
      column: 14, endColumn: 20, text: 'matchs', message: "expected 'contains' or 'matches' after 'subject' but found 'matchs'",
      suggestion: "did you mean 'subject matches'?",
    }],
    ['recipent', "when recipent contains 'x' then ignore", {
      column: 6, endColumn: 14, text: 'recipent', message: `expected 'not', '(' or ${CONDITIONS} but found 'recipent'`,
      suggestion: "did you mean 'recipient contains'?", expected: ["'not'", "'('", ...CONDITION_LIST],
    }],
    ['heder', "when heder 'X' exists then ignore", {
      column: 6, endColumn: 11, text: 'heder', message: `expected 'not', '(' or ${CONDITIONS} but found 'heder'`, suggestion: "did you mean 'header'?",
    }],
    ["header 'X' exist", "when header 'X' exist then ignore", {
      column: 17, endColumn: 22, text: 'exist', message: "expected 'contains', 'matches' or 'exists' but found 'exist'",
      suggestion: "did you mean 'exists'?", expected: ["'contains'", "'matches'", "'exists'"],
    }],
    ['header without contains, matches or exists', "when header 'X' then ignore", {
      column: 17, endColumn: 21, text: 'then', message: "expected 'contains', 'matches' or 'exists' but found 'then'",
    }],
    ['atachment name contains', "when atachment name contains 'x' then ignore", {
      column: 6, endColumn: 15, text: 'atachment', message: `expected 'not', '(' or ${CONDITIONS} but found 'atachment'`,
      suggestion: "did you mean 'attachment name contains'?",
    }],
    ['has atachment', 'when has atachment then ignore', {
      column: 10, endColumn: 19, text: 'atachment', message: "expected 'attachment' after 'has' but found 'atachment'",
      suggestion: "did you mean 'has attachment'?", expected: ["'attachment'"],
    }],
    ['attachment typ is', "when attachment typ is 'x' then ignore", {
      column: 17, endColumn: 20, text: 'typ', message: "expected 'name' or 'type' after 'attachment' but found 'typ'",
      suggestion: "did you mean 'attachment type is'?",
    }],
    ['sender is knwon', 'when sender is knwon then ignore', {
      column: 16, endColumn: 21, text: 'knwon', message: "expected 'known', 'unknown', 'user' or 'requester' but found 'knwon'",
      suggestion: "did you mean 'known'?", expected: ["'known'", "'unknown'", "'user'", "'requester'"],
    }],
    ['sender is without who', 'when sender is then ignore', {
      column: 16, endColumn: 20, text: 'then', message: "expected 'known', 'unknown', 'user' or 'requester' but found 'then'",
    }],
    ['sender domian is', "when sender domian is 'x' then ignore", {
      column: 13, endColumn: 19, text: 'domian', message: "expected 'is' or 'domain' after 'sender' but found 'domian'",
      suggestion: "did you mean 'sender domain is'?", expected: ["'is'", "'domain'"],
    }],
    ['compnay is', "when compnay is 'x' then ignore", {
      column: 6, endColumn: 13, text: 'compnay', message: `expected 'not', '(' or ${CONDITIONS} but found 'compnay'`, suggestion: "did you mean 'company is'?",
    }],
    ['size abov', 'when size abov 5 MB then ignore', {
      column: 11, endColumn: 15, text: 'abov', message: "expected 'above' or 'below' after 'size' but found 'abov'", suggestion: "did you mean 'size above'?",
    }],
    ['create bgu', 'then create bgu in project 1', {
      column: 13, endColumn: 16, text: 'bgu', message: "expected 'request', 'private', 'public', 'user', 'bug' or 'task' after 'create' but found 'bgu'",
      suggestion: "did you mean 'create bug in project'?", expected: ["'request'", "'private'", "'public'", "'user'", "'bug'", "'task'"],
    }],
    ['create tsk', 'then create tsk in project 1', {
      column: 13, endColumn: 16, text: 'tsk', message: "expected 'request', 'private', 'public', 'user', 'bug' or 'task' after 'create' but found 'tsk'",
      suggestion: "did you mean 'create task in project'?",
    }],
    ['create user stroy', 'then create user stroy in project 1', {
      column: 18, endColumn: 23, text: 'stroy', message: "expected 'story' after 'create user' but found 'stroy'",
      suggestion: "did you mean 'create user story in project'?", expected: ["'story'"],
    }],
    ['asign to', "then create bug in project 1 and asign to 'x@example.com'", {
      column: 34, endColumn: 39, text: 'asign', message: `expected ${ACTIONS} or end of line but found 'asign'`, suggestion: "did you mean 'assign to'?",
      expected: [...ACTION_LIST, 'end of line'],
    }],
    ['set prority', "then create bug in project 1 and set prority 'High'", {
      column: 38, endColumn: 45, text: 'prority', message: "expected 'priority', 'severity', 'state' or 'field' after 'set' but found 'prority'",
      suggestion: "did you mean 'set priority'?", expected: ["'priority'", "'severity'", "'state'", "'field'"],
    }],
    ['ad tag', "then create bug in project 1 and ad tag 'x'", {
      column: 34, endColumn: 36, text: 'ad', message: `expected ${ACTIONS} or end of line but found 'ad'`, suggestion: "did you mean 'add tag'?",
    }],
    ['set field without to', "then create bug in project 1 and set field 'A' 'b'", {
      column: 48, endColumn: 51, text: "'b'", message: "expected 'to' but found the quoted text 'b'", expected: ["'to'"],
    }],
    ['ignor', 'then ignor', {
      column: 6, endColumn: 11, text: 'ignor', message: `expected ${ACTIONS} but found 'ignor'`, suggestion: "did you mean 'ignore'?",
    }],
    // The optional tails of a phrase are expected and suggested like its other words.
    ['ignore becuse', "then ignore becuse 'x'", {
      column: 13, endColumn: 19, text: 'becuse', message: `expected 'because', 'and', ${ACTIONS} or end of line but found 'becuse'`,
      suggestion: "did you mean 'because'?", expected: ["'because'", "'and'", ...ACTION_LIST, 'end of line'],
    }],
    ['wiht title', "then create bug in project 1 wiht title 'x'", {
      column: 30, endColumn: 34, text: 'wiht', message: `expected 'with title', 'and', ${ACTIONS} or end of line but found 'wiht'`,
      suggestion: "did you mean 'with title'?",
    }],
    ['with titel', "then create bug in project 1 with titel 'x'", {
      column: 35, endColumn: 40, text: 'titel', message: "expected 'title' after 'with' but found 'titel'", suggestion: "did you mean 'with title'?", expected: ["'title'"],
    }],
    ['with and no title', "then create bug in project 1 with 'x'", {
      column: 35, endColumn: 38, text: "'x'", message: "expected 'title' after 'with' but found the quoted text 'x'", expected: ["'title'"],
      suggestion: "did you mean 'with title'?",
    }],
  ]);
});

describe('regular expressions', () => {
  table([
    ['unterminated', 'when subject matches /abc then ignore', {
      column: 22, endColumn: 38, text: '/abc then ignore', message: 'unterminated regular expression: the closing / is missing',
      suggestion: 'a / inside the expression is written \\/', expected: ['a closing /'],
    }],
    ['a slash inside a class does not end it, so this one is unterminated', 'when subject matches /[/ then ignore', {
      column: 22, endColumn: 37, text: '/[/ then ignore', message: 'unterminated regular expression: the closing / is missing',
      suggestion: 'a / inside the expression is written \\/',
    }],
    ['does not compile: the engine says why, at the expression', "when subject contains 'x' and subject matches /(a/ then ignore", {
      column: 47, endColumn: 51, text: '/(a/', message: 'invalid regular expression: missing closing ): `(a`', expected: ['a valid regular expression'],
    }],
    ['lookahead is not RE2', 'when body matches /(?=a)b/ then ignore', {
      column: 19, endColumn: 27, text: '/(?=a)b/', message: 'invalid regular expression: invalid or unsupported Perl syntax: `(?=`',
    }],
    ['backreferences are not RE2', 'when from matches /(a)\\1/i then ignore', {
      column: 19, endColumn: 27, text: '/(a)\\1/i', message: 'invalid regular expression: invalid escape sequence: `\\1`',
    }],
    ['a repeated group name', "when header 'X' matches /(?<n>a)(?<n>b)/ then ignore", {
      column: 25, endColumn: 41, text: '/(?<n>a)(?<n>b)/', message: 'invalid regular expression: duplicate capture group name: `n`',
    }],
    ['unknown flag', 'when subject matches /a/x then ignore', {
      column: 22, endColumn: 26, text: '/a/x', message: "unknown flag 'x': the flags are i, m and s", expected: ['a valid regular expression'],
    }],
    ["JavaScript's g flag", 'when subject matches /a/ig then ignore', {
      column: 22, endColumn: 27, text: '/a/ig', message: "unknown flag 'g': the flags are i, m and s",
    }],
    ['empty', 'when subject matches // then ignore', {
      column: 22, endColumn: 24, text: '//', message: 'empty regular expression: it would match every message',
    }],
    ['a keyword list where a regex belongs', "when subject matches 'x' then ignore", {
      column: 22, endColumn: 25, text: "'x'", message: "expected a regular expression between slashes (/…/) but found the quoted text 'x'",
      suggestion: 'did you mean /x/?', expected: ['a regular expression between slashes'],
    }],
    ['a regex where keywords belong', 'when subject contains /x/ then ignore', {
      column: 23, endColumn: 26, text: '/x/', message: "expected a keyword list in single quotes ('keyword, keyword') but found '/x/'",
    }],
  ]);
});

describe('{captures}', () => {
  table([
    ['a project capture the rule does not define', 'when subject matches /(?<code>[A-Z]+)/ then create bug in project {cod}', {
      column: 67, endColumn: 72, text: '{cod}', message: `no capture named 'cod' in this rule: ${CAPTURE_MESSAGE}`,
      suggestion: 'this rule captures {code}', expected: ['{code}'],
    }],
    ['a text capture the rule does not define', "when subject matches /(?<n>a)/ then create bug in project 1 and set field '{n}' to 'v {m}'", {
      column: 84, endColumn: 91, text: "'v {m}'", message: `no capture named 'm' in this rule: ${CAPTURE_MESSAGE}`, suggestion: 'this rule captures {n}',
    }],
    ['a capture in a rule without named groups', "then create bug in project 1 with title '{id}'", {
      column: 41, endColumn: 47, text: "'{id}'", message: `no capture named 'id' in this rule: ${CAPTURE_MESSAGE}`,
      suggestion: 'write \\{ for a brace', expected: ['a capture'],
    }],
    ['a regex without named groups captures nothing', 'when subject matches /(a)/ then create bug in project {a}', {
      column: 55, endColumn: 58, text: '{a}', message: `no capture named 'a' in this rule: ${CAPTURE_MESSAGE}`, expected: ['a capture'],
    }],
    ['a capture in a condition', 'when subject matches /(?<c>a)/ and company matched to project {c} then ignore', {
      column: 63, endColumn: 66, text: '{c}', message: 'a {capture} names a project only in an action, after the condition that captures it',
      expected: ['a project id or code'],
    }],
  ]);
});

describe('where actions may stand', () => {
  table([
    ['a modifier without a create', "then set priority 'High'", {
      column: 6, endColumn: 25, text: "set priority 'High'", message: "'set priority' changes the item the rule creates: put a 'create …' action before it",
      expected: ["a 'create …' action before it"],
    }],
    ['a modifier after attach only', "then attach to project 1 and assign to 'lead@example.com'", {
      column: 30, endColumn: 58, text: "assign to 'lead@example.com'", message: "'assign to' changes the item the rule creates: put a 'create …' action before it",
    }],
    ['severity after a task', "then create task in project 1 and set severity 'High'", {
      column: 35, endColumn: 54, text: "set severity 'High'", message: "'set severity' applies to bugs only, and the item before it is a task",
      expected: ["a 'create bug …' action before it"],
    }],
    ['severity after a user story', "then create user story in project 1 set severity 'High'", {
      column: 37, endColumn: 56, text: "set severity 'High'", message: "'set severity' applies to bugs only, and the item before it is a user story",
    }],
    ['severity after a request, a bug further back', "then create bug in project 1 and create request in project 1 and set severity 'High'", {
      column: 66, endColumn: 85, text: "set severity 'High'", message: "'set severity' applies to bugs only, and the item before it is a request",
    }],
    ['a team after a bug', 'then create bug in project 1 and attach request to team 4', {
      column: 34, endColumn: 58, text: 'attach request to team 4', message: "'attach request to team' must come directly after a 'create request' action",
    }],
    ['ignore before other actions', 'then ignore and attach to project 1', {
      column: 17, endColumn: 36, text: 'attach to project 1', message: "'ignore' must be the rule's only action: an ignored message gets no item", expected: ['end of line'],
    }],
    ['ignore after other actions', 'then create bug in project 1 and ignore', {
      column: 34, endColumn: 40, text: 'ignore', message: "'ignore' must be the rule's only action: an ignored message gets no item", expected: ["'ignore' alone"],
    }],
    ['ignore twice', "then ignore because 'a' ignore", {
      column: 25, endColumn: 31, text: 'ignore', message: "'ignore' must be the rule's only action: an ignored message gets no item",
    }],
  ]);
});

describe('values of the new slots', () => {
  table([
    ['a project code of one letter', 'then create bug in project A', {
      column: 28, endColumn: 29, text: 'A', message: "'A' is not a project code: a code is 2 to 20 letters, digits or _, starting with a letter", expected: ['a project code'],
    }],
    ['a project code of 21 characters', 'then create bug in project ABCDEFGHIJKLMNOPQRSTU', {
      column: 28, endColumn: 49, text: 'ABCDEFGHIJKLMNOPQRSTU', message: "'ABCDEFGHIJKLMNOPQRSTU' is not a project code: a code is 2 to 20 letters, digits or _, starting with a letter",
    }],
    ['a project code with a dash', 'then create bug in project AC-ME', {
      column: 30, endColumn: 31, text: '-', message: `expected 'and', ${ACTIONS} or end of line but found '-'`,
    }],
    ['a project word that ends the clause', 'then create bug in project with title', {
      column: 28, endColumn: 32, text: 'with', message: "expected a project (its id or code, or a {capture}) but found 'with'", expected: ['a project id or code'],
    }],
    ['size without a unit', 'when size above 5 then ignore', {
      column: 19, endColumn: 23, text: 'then', message: "expected a unit (bytes, KB, MB, GB) after the size but found 'then'", expected: ["'bytes'", "'KB'", "'MB'", "'GB'"],
    }],
    // Two-letter units are too short to guess from; a longer one is not.
    ['size with a wrong unit', 'when size below 5 KBB then ignore', {
      column: 19, endColumn: 22, text: 'KBB', message: "expected a unit (bytes, KB, MB, GB) after the size but found 'KBB'",
    }],
    ['size with a misspelt unit', 'when size below 500 bytse then ignore', {
      column: 21, endColumn: 26, text: 'bytse', message: "expected a unit (bytes, KB, MB, GB) after the size but found 'bytse'", suggestion: "did you mean 'bytes'?",
    }],
    ['size without a number', 'when size above MB then ignore', {
      column: 17, endColumn: 19, text: 'MB', message: "expected a size (digits) but found 'MB'", expected: ['a size'],
    }],
    ['an empty title', "then create bug in project 1 with title ''", {
      column: 41, endColumn: 43, text: "''", message: 'empty title: write it between the quotes', expected: ['a title'],
    }],
    ['a blank tag', "then create bug in project 1 and add tag '  '", {
      column: 42, endColumn: 46, text: "'  '", message: 'empty tag: write it between the quotes',
    }],
    ['an empty header name', "when header '' exists then ignore", {
      column: 13, endColumn: 15, text: "''", message: 'empty header name: write it between the quotes', expected: ['a header name'],
    }],
    ['a title in double quotes', 'then create bug in project 1 with title "Printer"', {
      column: 41, endColumn: 50, text: '"Printer"', message: 'the title must be in single quotes, not double quotes',
      suggestion: "did you mean 'Printer'?", expected: ['the title in single quotes'],
    }],
    ['a header name in double quotes', 'when header "X-Spam" exists then ignore', {
      column: 13, endColumn: 21, text: '"X-Spam"', message: 'the header name must be in single quotes, not double quotes', suggestion: "did you mean 'X-Spam'?",
    }],
    ['keywords of a new condition in double quotes', 'when from contains "noreply" then ignore', {
      column: 20, endColumn: 29, text: '"noreply"', message: 'keywords must be in single quotes, not double quotes', suggestion: "did you mean 'noreply'?",
    }],
    ['an unterminated title', "then create bug in project 1 with title 'it\\'s", {
      column: 41, endColumn: 47, text: "'it\\'s", message: "unterminated title: the closing ' is missing",
      suggestion: "\\' is a quote inside the text, not its end", expected: ["a closing '"],
    }],
    ['a title missing', 'then create bug in project 1 with title', {
      column: 40, endColumn: 40, text: '', message: 'expected the title in single quotes but found end of line', expected: ['the title in single quotes'],
    }],
    ['a state that is none of the five', "then create bug in project 1 and set state 'Started'", {
      column: 34, endColumn: 53, text: "set state 'Started'", message: `'Started' is not a state: the states are ${STATES}`,
    }],
  ]);
});

describe('not, or and parentheses', () => {
  table([
    ['a missing closing parenthesis', "when (subject contains 'a' or subject contains 'b' then ignore", {
      column: 52, endColumn: 56, text: 'then', message: `expected 'and', 'or', ')', 'not', '(' or ${CONDITIONS} but found 'then'`,
      expected: ["'and'", "'or'", "')'", "'not'", "'('", ...CONDITION_LIST],
    }],
    ['one of two closing parentheses missing', "when ((subject contains 'a') then ignore", {
      column: 30, endColumn: 34, text: 'then', message: `expected 'and', 'or', ')', 'not', '(' or ${CONDITIONS} but found 'then'`,
    }],
    // No "did you mean": a ')' right after a keyword list is how a group ends, not a quote gone wrong.
    ['a closing parenthesis too many', "when subject contains 'a') then ignore", {
      column: 26, endColumn: 27, text: ')', message: `expected 'and', 'or', 'then', 'not', '(' or ${CONDITIONS} but found ')'`,
    }],
    ['empty parentheses', 'when () then ignore', {
      column: 7, endColumn: 8, text: ')', message: `expected 'not', '(' or ${CONDITIONS} but found ')'`,
    }],
    ['or at the start', "when or subject contains 'a' then ignore", {
      column: 6, endColumn: 8, text: 'or', message: `expected 'not', '(' or ${CONDITIONS} but found 'or'`, suggestion: "did you mean 'subject contains'?",
    }],
    ['or at the end', "when subject contains 'a' or then ignore", {
      column: 30, endColumn: 34, text: 'then', message: `expected 'not', '(' or ${CONDITIONS} but found 'then'`,
    }],
    ['or twice', "when subject contains 'a' or or subject contains 'b' then ignore", {
      column: 30, endColumn: 32, text: 'or', message: `expected 'not', '(' or ${CONDITIONS} but found 'or'`, suggestion: "did you mean 'subject contains'?",
    }],
    ['or right after an opening parenthesis', "when (or subject contains 'a') then ignore", {
      column: 7, endColumn: 9, text: 'or', message: `expected 'not', '(' or ${CONDITIONS} but found 'or'`, suggestion: "did you mean 'subject contains'?",
    }],
    // Not "'when' needs at least one condition": there is one; 'not' lacks its own.
    ['not at the end', "when subject contains 'a' not then ignore", {
      column: 31, endColumn: 35, text: 'then', message: `expected 'not', '(' or ${CONDITIONS} but found 'then'`, expected: ["'not'", "'('", ...CONDITION_LIST],
    }],
    ['not at the end after and', "when subject contains 'a' and not then ignore", {
      column: 35, endColumn: 39, text: 'then', message: `expected 'not', '(' or ${CONDITIONS} but found 'then'`,
    }],
    ['not alone', 'when not then ignore', {
      column: 10, endColumn: 14, text: 'then', message: `expected 'not', '(' or ${CONDITIONS} but found 'then'`,
    }],
    ['not before a closing parenthesis', "when (subject contains 'a' or not) then ignore", {
      column: 34, endColumn: 35, text: ')', message: `expected 'not', '(' or ${CONDITIONS} but found ')'`,
    }],
    ['when alone still says when needs a condition', 'when then ignore', {
      column: 6, endColumn: 10, text: 'then', message: `expected 'not', '(' or ${CONDITIONS} but found 'then': 'when' needs at least one condition`,
      suggestion: "leave out 'when' for a rule that always matches",
    }],
  ]);
});

describe('empty text and several lines', () => {
  test('empty text and blank lines have no rules and no errors', () => {
    for (const source of ['', '\n', '   \n\t\n', '# only\n# comments']) assert.deepEqual(parseRules(source), { ruleSet: { rules: [] }, errors: [] });
  });

  test('each line is checked on its own, at its own line and column', () => {
    const { ruleSet, errors } = parseRules(
      ['when from contians \'x\' then ignore', 'then create bug in project ACME', '', "\twhen sender is knwon then create bgu in project 1", 'when subject matches /(a/ then ignore'].join('\r\n'),
    );
    assert.deepEqual(ruleSet.rules.map((r) => r.line), [2]);
    assert.deepEqual(errors.map((e) => [e.line, e.column, e.text]), [
      [1, 11, 'contians'],
      [4, 17, 'knwon'],
      [5, 22, '/(a/'],
    ]);
  });
});
