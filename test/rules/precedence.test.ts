// How conditions group: `not` binds tightest, then `and` (which TargetProcess let rules leave out), then
// `or`; parentheses group anything. Each case is checked three ways: the tree the parser builds, the
// canonical text, and evaluation against the same expression computed here for every combination of facts.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  evaluateRules,
  exprToText,
  formatRules,
  parseRules,
  usePlugins,
  type ConditionDefinition,
  type Expr,
} from '../../src/rules/index.js';
import { attach, company, context, create, plain, subject, view } from './helpers.js';

// a, b, c, d stand for subject contains 'alpha', 'bravo', 'charlie', 'delta'.
const WORDS = { a: 'alpha', b: 'bravo', c: 'charlie', d: 'delta' } as const;
type Letter = keyof typeof WORDS;

/** The letters spelt out; a capital letter too, so that `A OR B` tests the case of the grammar's words. */
function write(when: string): string {
  return when.replace(/\b([abcdABCD])\b/g, (l) => `subject contains '${WORDS[l.toLowerCase() as Letter]}'`);
}

/** The tree as a short formula: `(a | (b & not c))`. */
function shape(e: Expr): string {
  switch (e.kind) {
    case 'condition': {
      const keyword = (e.condition.args[0] as string[])[0]!;
      return (Object.keys(WORDS) as Letter[]).find((l) => WORDS[l] === keyword)!;
    }
    case 'not':
      return `not ${shape(e.item)}`;
    case 'and':
      return `(${e.items.map(shape).join(' & ')})`;
    case 'or':
      return `(${e.items.map(shape).join(' | ')})`;
  }
}

/** A formula of shape() evaluated with JavaScript's own operators. */
function truth(formula: string, facts: Record<Letter, boolean>): boolean {
  const js = formula.replace(/not /g, '!').replace(/&/g, '&&').replace(/\|/g, '||').replace(/\b([abcd])\b/g, (l) => String(facts[l as Letter]));
  return Function(`return ${js}`)() as boolean;
}

function parseWhen(when: string): Expr {
  const { ruleSet, errors } = parseRules(`when ${write(when)} then ignore`);
  assert.deepEqual(errors, [], when);
  return ruleSet.rules[0]!.when!;
}

// [when part as written, tree, canonical when part]
const cases: [string, string, string][] = [
  ['a or b and c', '(a | (b & c))', 'a or b and c'],
  ['a and b or c', '((a & b) | c)', 'a and b or c'],
  ['a and b or c and d', '((a & b) | (c & d))', 'a and b or c and d'],
  ['a or b or c', '(a | b | c)', 'a or b or c'],
  ['a and b and c or d', '((a & b & c) | d)', 'a and b and c or d'],
  ['not a and b', '(not a & b)', 'not a and b'],
  ['not a or b', '(not a | b)', 'not a or b'],
  ['a or not b and c', '(a | (not b & c))', 'a or not b and c'],
  ['not not a', 'not not a', 'not not a'],
  ['not (a or b)', 'not (a | b)', 'not (a or b)'],
  ['not (a and b) or c', '(not (a & b) | c)', 'not (a and b) or c'],
  ['(a or b) and c', '((a | b) & c)', '(a or b) and c'],
  ['a and (b or c)', '(a & (b | c))', 'a and (b or c)'],
  ['(a or b) and (c or d)', '((a | b) & (c | d))', '(a or b) and (c or d)'],
  ['((a))', 'a', 'a'],
  ['(a or b)', '(a | b)', 'a or b'],
  ['(((a or b)) and c)', '((a | b) & c)', '(a or b) and c'],
  ['((a or (b and (c or d))))', '(a | (b & (c | d)))', 'a or b and (c or d)'],
  ['not (not (a))', 'not not a', 'not not a'],
  // TargetProcess's optional 'and', also next to not, or and parentheses.
  ['a b', '(a & b)', 'a and b'],
  ['a b c', '(a & b & c)', 'a and b and c'],
  ['a or b c', '(a | (b & c))', 'a or b and c'],
  ['a b or c', '((a & b) | c)', 'a and b or c'],
  ['a not b', '(a & not b)', 'a and not b'],
  ['not a b', '(not a & b)', 'not a and b'],
  ['a (b or c)', '(a & (b | c))', 'a and (b or c)'],
  ['(a or b) c', '((a | b) & c)', '(a or b) and c'],
  ['(a or b)(c or d)', '((a | b) & (c | d))', '(a or b) and (c or d)'],
  ['a or (b c) d', '(a | ((b & c) & d))', 'a or b and c and d'],
  ['not (a b) or c d', '(not (a & b) | (c & d))', 'not (a and b) or c and d'],
  ['a and (b c and)', '(a & (b & c))', 'a and b and c'],
  ['A OR B AND NOT C', '(a | (b & not c))', 'a or b and not c'],
];

describe('grouping of not, and, or and parentheses', () => {
  for (const [when, tree, canonical] of cases) {
    test(`${when}  ≡  ${tree}`, () => {
      const e = parseWhen(when);
      assert.equal(shape(e), tree);
      assert.equal(exprToText(e), write(canonical));
      // The canonical text means the same: it parses back to a tree of the same formula.
      assert.equal(truthTable(shape(parseWhen(canonical))), truthTable(tree));
    });

    test(`${when} evaluates as ${tree} for every combination`, () => {
      const { ruleSet } = parseRules(`when ${write(when)} then ignore`);
      for (let bits = 0; bits < 16; bits++) {
        const facts = { a: !!(bits & 1), b: !!(bits & 2), c: !!(bits & 4), d: !!(bits & 8) };
        const words = (Object.keys(facts) as Letter[]).filter((l) => facts[l]).map((l) => WORDS[l]);
        const evaluation = evaluateRules(ruleSet, context(view({ subject: `re: ${words.join(' ')}` })));
        assert.equal(evaluation.matched !== null, truth(tree, facts), `${JSON.stringify(facts)}`);
        assert.equal(evaluation.trace[0]!.matched, truth(tree, facts), `trace for ${JSON.stringify(facts)}`);
      }
    });
  }

  test('keywords of the grammar in any case', () => {
    assert.equal(shape(parseWhen(write('a').replace('subject', 'SUBJECT') + ' OR NOT ' + write('b') + ' And ' + write('c'))), '(a | (not b & c))');
  });
});

/** The formula's value for all 16 combinations, as a string of 0 and 1. */
function truthTable(formula: string): string {
  let out = '';
  for (let bits = 0; bits < 16; bits++) out += truth(formula, { a: !!(bits & 1), b: !!(bits & 2), c: !!(bits & 4), d: !!(bits & 8) }) ? '1' : '0';
  return out;
}

describe('short-circuit and the trace of compound conditions', () => {
  // A condition that records that it ran: `probe 'yes'` holds, `probe 'no'` does not.
  const ran: string[] = [];
  const probe: ConditionDefinition = {
    pattern: 'probe {text:name}',
    help: 'test only',
    test([name]) {
      ran.push(name as string);
      return { matched: (name as string).startsWith('yes'), reason: `probe ${name as string} ran` };
    },
  };
  usePlugins([{ origin: 'precedence test', conditions: [probe] }]);
  after(() => usePlugins([]));

  function traced(when: string, message = view()) {
    ran.length = 0;
    const { ruleSet, errors } = parseRules(`when ${when} then ignore`);
    assert.deepEqual(errors, []);
    const evaluation = evaluateRules(ruleSet, context(message));
    const trace = evaluation.trace[0]!;
    return { ran: [...ran], matched: trace.matched, conditions: trace.conditions.map((c) => [exprToText(c.condition), c.matched, c.reason]), reason: trace.reason };
  }

  test("or stops at the first part that holds; the trace names the parts not tried", () => {
    const t = traced("(probe 'no1' or probe 'yes2' or probe 'no3' or probe 'yes4')");
    assert.deepEqual(t.ran, ['no1', 'yes2']);
    assert.deepEqual(t.conditions, [[
      "probe 'no1' or probe 'yes2' or probe 'no3' or probe 'yes4'",
      true,
      "probe 'no1' did not match, probe 'yes2' matched, probe 'no3' not tried, probe 'yes4' not tried → true",
    ]]);
  });

  test('and inside parentheses stops at the first part that fails', () => {
    const t = traced("(probe 'yes1' and probe 'no2' and probe 'yes3') or probe 'no4'");
    assert.deepEqual(t.ran, ['yes1', 'no2', 'no4']);
    assert.equal(t.matched, false);
    assert.deepEqual(t.conditions, [[
      "probe 'yes1' and probe 'no2' and probe 'yes3' or probe 'no4'",
      false,
      "probe 'yes1' and probe 'no2' and probe 'yes3' did not match, probe 'no4' did not match → false",
    ]]);
  });

  test("the rule's own and tries every part, as TargetProcess listed every condition", () => {
    const t = traced("probe 'no1' and probe 'yes2' and probe 'no3'");
    assert.deepEqual(t.ran, ['no1', 'yes2', 'no3']);
    assert.deepEqual(t.conditions.map((c) => c[1]), [false, true, false]);
    assert.equal(t.reason, 'not matched: probe no1 ran; probe no3 ran');
  });

  test('not explains the part it turns around', () => {
    assert.deepEqual(traced("not probe 'yes1'").conditions, [["not probe 'yes1'", false, 'probe yes1 ran, negated → false']]);
    assert.deepEqual(traced("not probe 'no1'").conditions, [["not probe 'no1'", true, 'probe no1 ran, negated → true']]);
  });

  test("the issue's example: not (from contains 'noreply' or sender is unknown)", () => {
    const when = "not (from contains 'noreply' or sender is unknown)";
    const noreply = traced(when, view({ from: 'noreply@shop.example', sender: { is: 'requester' } }));
    assert.equal(noreply.matched, false);
    assert.deepEqual(noreply.conditions, [[
      when,
      false,
      "from contains 'noreply' matched, sender is unknown not tried → true, negated → false",
    ]]);
    const stranger = traced(when, view({ from: 'x@nowhere.example', sender: { email: 'x@nowhere.example' } }));
    assert.equal(stranger.matched, false);
    assert.match(stranger.conditions[0]![2] as string, /from contains 'noreply' did not match, sender is unknown matched → true, negated → false$/);
    const customer = traced(when, view({ from: 'c@client.example', sender: { email: 'c@client.example', is: 'requester' } }));
    assert.equal(customer.matched, true);
    assert.equal(customer.reason, 'matched: the condition holds');
  });

  test('captures come from the part of an or that matched, and not from under a not', () => {
    const { ruleSet } = parseRules(
      'when subject matches /A(?<n>\\d)/ or subject matches /B(?<n>\\d)/ then create task in project 1 with title \'{n}\'\n' +
        "when not subject matches /C(?<m>\\d)/ then create task in project 1 with title '{m}'",
    );
    const world = { projects: { 1: { live: true, companyId: null } } };
    const title = (subject: string) => {
      const e = evaluateRules(ruleSet, context(view({ subject }), world));
      return [e.matched?.line, e.effects[0]?.kind === 'create' ? e.effects[0].title : null, e.warnings];
    };
    assert.deepEqual(title('B7 A1'), [1, '1', []]);
    assert.deepEqual(title('B7'), [1, '7', []]);
    assert.deepEqual(title('nothing'), [2, null, ["left out 'create task in project 1 with title '{m}'': a {capture} it uses has no value"]]);
  });
});

describe('the seed example', () => {
  const SEED = [
    "when subject contains 'Targetprocess, tp' and company matched to project 2 then attach to project 2 and create request in project 2",
    'when company matched to project 2 then attach to project 2',
    'then attach to project 1 and create request in project 1',
  ].join('\n');

  test('parses to the same rules and prints as written', () => {
    const { ruleSet, errors } = parseRules(SEED);
    assert.deepEqual(errors, []);
    assert.deepEqual(plain(ruleSet), [
      { conditions: [subject('Targetprocess', 'tp'), company(2)], actions: [attach(2), create(2)] },
      { conditions: [company(2)], actions: [attach(2)] },
      { conditions: [], actions: [attach(1), create(1)] },
    ]);
    assert.equal(formatRules(ruleSet), SEED);
  });

  test('routes as TargetProcess did', () => {
    const { ruleSet } = parseRules(SEED);
    const world = { projects: { 1: { live: true, companyId: null }, 2: { live: true, companyId: 1 } } };
    const line = (subjectText: string, companyId: number | null) =>
      evaluateRules(ruleSet, context(view({ subject: subjectText, sender: { companyId } }), world)).matched?.line;
    assert.equal(line('Question about TP', 1), 1);
    assert.equal(line('Hello', 1), 2);
    assert.equal(line('tp question', 3), 3);
    assert.equal(line('tp question', null), 3);
  });
});
