// The evaluator scans rule sets with the conditions' `holds` fast paths and builds verdicts (and the
// trace) only for what it shows. That is correct only if both paths always agree: this checks every
// condition that has a fast path against its verdict, over seeded texts near its keywords and patterns.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateRules, parseRules, vocabulary, type ConditionDefinition, type EvalScope } from '../../src/rules/index.js';
import { prng } from '../support/prng.js';
import { context, view } from './helpers.js';

const PIECES = ['Order', 'order', ' ', '#', '12', '345', 'INV-7-', '9', 'ÄÖ', 'straße', 'STRASSE', 'tp', 'TP', '\n', 'x', '[', ']', 'ZED', 'İ', 'ı'];

const RULES = [
  "when subject contains 'order, tp' then attach to project 1",
  "when subject contains 'straße' then attach to project 1",
  "when from contains 'ÄÖ' then attach to project 1",
  'when subject matches /order\\s+#?\\d{3}/i then attach to project 1',
  'when subject matches /INV-\\d-(?<n>\\d+)/ then attach to project 1',
  'when body matches /^x$/m then attach to project 1',
  'when body matches /order.#/s then attach to project 1',
  'when subject matches /\\[(?<code>[A-Z]+)\\]/ then attach to project 1',
  "when to contains 'zed' cc contains 'tp' then attach to project 1",
].join('\n');

describe('fast paths agree with verdicts', () => {
  const { ruleSet, errors } = parseRules(RULES);
  assert.deepEqual(errors, []);

  test('holds(...) equals test(...).matched for every clause, over 3,000 seeded messages', () => {
    const random = prng(10);
    const text = () => Array.from({ length: Math.floor(random() * 8) }, () => PIECES[Math.floor(random() * PIECES.length)]).join('');
    let checked = 0;
    for (let n = 0; n < 3000; n++) {
      const ctx = context(view({ subject: text(), from: text(), to: [text()], cc: [text()], body: text() }));
      const scope: EvalScope = { ruleSet, memo: new Map() };
      for (const rule of ruleSet.rules) {
        const parts = rule.when!.kind === 'and' ? rule.when!.items : [rule.when!];
        for (const part of parts) {
          if (part.kind !== 'condition') continue;
          const definition = vocabulary().conditions.get(part.condition.kind)!.definition as ConditionDefinition;
          if (!definition.holds) continue;
          const fast = definition.holds(part.condition.args)(ctx, scope);
          const slow = definition.test(part.condition.args, ctx, { ruleSet, memo: new Map() }).matched;
          assert.equal(fast, slow, `${part.condition.kind} on ${JSON.stringify(ctx.message)}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 20000, `${checked} checks`);
  });

  test('a trace read after a fast scan says what a full evaluation says', () => {
    const ctx = context(view({ subject: 'Re: order 123', body: 'x' }), { projects: { 1: { live: true, companyId: null } } });
    const evaluation = evaluateRules(ruleSet, ctx);
    assert.equal(evaluation.matched?.line, 1);
    assert.deepEqual(evaluation.trace.map((t) => [t.rule.line, t.matched]), [[1, true]]);
    const none = evaluateRules(ruleSet, context(view({ subject: 'nothing' }), { projects: { 1: { live: true, companyId: null } } }));
    assert.equal(none.matched, null);
    assert.equal(none.trace.length, ruleSet.rules.length);
    assert.ok(none.trace.every((t) => !t.matched && t.reason.startsWith('not matched: ')));
  });

  test('traceHead lists the first rules tried and always the deciding one', () => {
    const many = parseRules([...Array.from({ length: 150 }, (_, i) => `when subject contains 'k${i}x' then attach to project 1`), 'then attach to project 1'].join('\n')).ruleSet;
    const e = evaluateRules(many, context(view({ subject: 'nothing' }), { projects: { 1: { live: true, companyId: null } } }));
    assert.equal(e.tried, 151);
    const head = e.traceHead(100);
    assert.deepEqual(head.map((t) => t.rule.line).slice(0, 3), [1, 2, 3]);
    assert.equal(head.length, 101);
    assert.deepEqual([head[100]!.rule.line, head[100]!.matched], [151, true]);
    assert.equal(e.trace.length, 151);
  });
});
