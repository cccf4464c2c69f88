import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { effectToText, evaluateRules, parseRules, type EvalContext, type ProjectInfo } from '../../src/rules/index.js';
import { context, view } from './helpers.js';

const SEED = [
  "when subject contains 'Targetprocess, tp' and company matched to project 2 then attach to project 2 and create request in project 2",
  'when company matched to project 2 then attach to project 2',
  'then attach to project 1 and create request in project 1',
].join('\n');

// Project 2 belongs to company 1, project 1 has no company, 8 is deleted, 9 belongs to company 5.
const PROJECTS: Record<number, Omit<ProjectInfo, 'id'>> = {
  1: { live: true, companyId: null },
  2: { live: true, companyId: 1 },
  8: { live: false, companyId: 1 },
  9: { live: true, companyId: 5 },
};

function ctx(subject: string, senderCompanyId: number | null = null): EvalContext {
  return context(view({ subject, sender: { companyId: senderCompanyId } }), { projects: PROJECTS });
}

function run(rules: string, context: EvalContext) {
  const { ruleSet, errors } = parseRules(rules);
  assert.deepEqual(errors, []);
  return evaluateRules(ruleSet, context);
}

/** The line of the matched rule, or null. */
function matchedLine(rules: string, context: EvalContext): number | null {
  return run(rules, context).matched?.line ?? null;
}

describe('seed example', () => {
  const cases: [string, EvalContext, number][] = [
    ['sender of company 1 with tp in the subject takes rule 1', ctx('Question about TP', 1), 1],
    ['keyword Targetprocess, any case', ctx('TARGETPROCESS down', 1), 1],
    ['same sender without a keyword takes rule 2', ctx('Hello', 1), 2],
    ['other sender takes rule 3', ctx('tp question', 3), 3],
    ['sender without company takes rule 3', ctx('tp question', null), 3],
  ];
  for (const [name, context, line] of cases) {
    test(name, () => assert.equal(matchedLine(SEED, context), line));
  }

  test('trace holds every rule tried, with human reasons', () => {
    const { trace } = run(SEED, ctx('Hello', 3));
    assert.deepEqual(
      trace.map((t) => [t.rule.line, t.matched, t.reason]),
      [
        [1, false, "not matched: subject \"Hello\" contains none of 'Targetprocess', 'tp'; sender's company 3 is not the company of project 2 (company 1)"],
        [2, false, "not matched: sender's company 3 is not the company of project 2 (company 1)"],
        [3, true, 'matched: no conditions; project 1 is live'],
      ],
    );
    assert.deepEqual(trace[0]!.conditions.map((c) => c.matched), [false, false]);
  });

  test('trace stops at the matched rule', () => {
    const { trace, matched } = run(SEED, ctx('tp', 1));
    assert.equal(trace.length, 1);
    assert.equal(matched, trace[0]!.rule);
    assert.equal(trace[0]!.reason, 'matched: all 2 conditions hold; project 2 is live');
    assert.deepEqual(trace[0]!.conditions.map((c) => c.reason), [
      "subject contains 'tp'",
      "sender's company 1 is the company of project 2",
    ]);
  });
});

describe('subject contains', () => {
  // [name, keyword list as written, subject, matches]
  const cases: [string, string, string, boolean][] = [
    ['case-insensitive', "'BUG'", 'a bug report', true],
    ['substring, not a whole word', "'tp'", 'program output', true],
    ['any keyword is enough', "'alpha, beta, gamma'", 'Beta release', true],
    ['no keyword', "'alpha, beta'", 'gamma', false],
    ['keywords are trimmed', "'  urgent  '", 'URGENT: disk', true],
    ['inner spaces count', "'disk full'", 'disk is full', false],
    ['non-ASCII upper keyword, lower subject', "'Ä'", 'Bestätigung', true],
    ['non-ASCII lower keyword, upper subject', "'ärger'", 'ÄRGER im Büro', true],
    ['sharp s against double s', "'straße'", 'STRASSE gesperrt', true],
    ['composed against decomposed', "'é'", 'cafe\u0301', true],
    ['escaped quote', "'it\\'s'", "It's broken", true],
    ['double backslash is two characters', "'a\\\\b'", 'path a\\b', false],
    ['double backslash matches two backslashes', "'a\\\\b'", 'path a\\\\b', true],
    ['line breaks in the subject are spaces', "'disk full'", 'disk\nfull', true],
    ['empty subject matches nothing', "'a'", '', false],
  ];
  for (const [name, list, subject, matches] of cases) {
    test(name, () => {
      assert.equal(matchedLine(`when subject contains ${list} then attach to project 2`, ctx(subject)), matches ? 1 : null);
    });
  }

  test('every condition counts: the second subject clause must match too', () => {
    const rules = "when subject contains 'a' and subject contains 'zzz' then attach to project 2";
    const result = run(rules, ctx('a b'));
    assert.equal(result.matched, null);
    assert.deepEqual(result.trace[0]!.conditions.map((c) => c.matched), [true, false]);
    assert.equal(matchedLine(rules, ctx('a zzz')), 1);
  });
});

describe('company matched to project', () => {
  // [name, project, sender company, matches, reason]
  const cases: [string, number, number | null, boolean, string][] = [
    ['same company', 2, 1, true, "sender's company 1 is the company of project 2"],
    ['other company', 2, 5, false, "sender's company 5 is not the company of project 2 (company 1)"],
    ['sender without company', 2, null, false, "sender's company (none) is not the company of project 2"],
    ['project without company', 1, 1, false, 'project 1 has no company'],
    ['unknown project', 77, 1, false, 'project 77 is unknown'],
    ['deleted project', 8, 1, false, 'project 8 is deleted'],
  ];
  for (const [name, project, sender, matches, reason] of cases) {
    test(name, () => {
      const { trace } = run(`when company matched to project ${project} then attach to project 9`, ctx('x', sender));
      assert.equal(trace[0]!.matched, matches);
      assert.equal(trace[0]!.conditions[0]!.reason, reason);
    });
  }

  test('repeated company conditions all count', () => {
    const rules = 'when company matched to project 2 and company matched to project 9 then attach to project 2';
    assert.equal(matchedLine(rules, ctx('x', 1)), null);
  });
});

describe('live target projects', () => {
  test('rule skipped when every target is deleted or unknown; the next rule wins', () => {
    const rules = 'then attach to project 7 and create request in project 8\nthen attach to project 2';
    const { matched, trace } = run(rules, ctx('x'));
    assert.equal(matched?.line, 2);
    assert.equal(trace[0]!.reason, 'skipped: no target project is live (project 7 unknown, project 8 deleted)');
  });

  test('matched when one of two targets is live', () => {
    const { matched, trace } = run('then attach to project 8 and attach to project 2', ctx('x'));
    assert.equal(matched?.line, 1);
    assert.equal(trace[0]!.reason, 'matched: no conditions; project 2 is live (project 8 deleted)');
  });

  test('conditions are reported before liveness', () => {
    const { trace } = run("when subject contains 'a' then attach to project 7", ctx('b'));
    assert.equal(trace[0]!.reason, "not matched: subject \"b\" contains none of 'a'");
  });

  test('no rule matches: matched is null and every rule is traced', () => {
    const { matched, trace } = run('then attach to project 7\nthen attach to project 8', ctx('x'));
    assert.equal(matched, null);
    assert.equal(trace.length, 2);
  });

  test('empty rule set', () => {
    const e = evaluateRules({ rules: [] }, ctx('x'));
    assert.deepEqual([e.matched, e.trace, e.effects, e.warnings, e.tried], [null, [], [], [], 0]);
  });
});

describe('actions', () => {
  test('run in the written order, plain create is private', () => {
    const { effects } = run(
      'then create public request in project 9 and attach request to team 4 and attach to project 2 and create request in project 2',
      context(view({ subject: 'x' }), { projects: PROJECTS, teams: [4] }),
    );
    assert.deepEqual(effects.map(effectToText), [
      'create public request in project 9 and attach request to team 4',
      'attach to project 2',
      'create request in project 2',
    ]);
    assert.equal(effects[2]!.kind === 'create' && effects[2]!.visibility, 'private');
  });
});
