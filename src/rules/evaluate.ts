// Which rule a message matches, with a human reason for every rule tried (the rule tester and dry runs
// show them to people asking "why did my mail go there?"), and what the matched rule's actions come to.

import { effectsOf } from './effects.js';
import { exprToText } from './format.js';
import type { ConditionDefinition, EvalScope, Verdict } from './language.js';
import { projectRefsOf, resolveProject } from './effects.js';
import type { ConditionResult, EvalContext, Evaluation, Expr, Rule, RuleSet, RuleTrace } from './types.js';
import { vocabulary } from './vocabulary.js';

/**
 * First match wins, top to bottom. A rule matches when its conditions hold (every one of an `and`,
 * unlike TargetProcess which used only the first of each kind) and, when its actions name projects, at
 * least one of those is live. Actions aimed at other projects are left out with a warning.
 */
export function evaluateRules(ruleSet: RuleSet, ctx: EvalContext): Evaluation {
  const scope: EvalScope = { ruleSet, memo: new Map() };
  const quick = quickChecks(ruleSet);
  // Rules a quick check ruled out get their trace entry only when someone reads the trace.
  const tried: Array<RuleTrace | Rule> = [];
  for (let i = 0; i < ruleSet.rules.length; i++) {
    const rule = ruleSet.rules[i]!;
    const check = quick[i];
    if (check && !check(ctx, scope)) {
      tried.push(rule);
      continue;
    }
    const captures: Record<string, string> = Object.create(null) as Record<string, string>;
    const entry = evaluateRule(rule, ctx, scope, captures);
    tried.push(entry);
    if (entry.matched) return lazyTrace({ matched: rule, ...effectsOf(rule, captures, ctx) }, tried, ctx, scope);
  }
  return lazyTrace({ matched: null, effects: [], warnings: [] }, tried, ctx, scope);
}

function evaluateRule(rule: Rule, ctx: EvalContext, scope: EvalScope, captures: Record<string, string>): RuleTrace {
  const conditions: ConditionResult[] = [];
  if (rule.when) {
    if (rule.when.kind === 'and') for (const e of rule.when.items) conditions.push(run(e, ctx, scope, captures));
    else conditions.push(run(rule.when, ctx, scope, captures));
  }
  return judge(rule, conditions, captures, ctx);
}

function lazyTrace(result: Omit<Evaluation, 'trace'>, tried: Array<RuleTrace | Rule>, ctx: EvalContext, scope: EvalScope): Evaluation {
  let trace: RuleTrace[] | undefined;
  return Object.defineProperty(result as Evaluation, 'trace', {
    enumerable: true,
    get: () => (trace ??= tried.map((t) => ('when' in t ? evaluateRule(t, ctx, scope, {}) : t))),
  });
}

type Check = (ctx: EvalContext, scope: EvalScope) => boolean;
const compiledChecks = new WeakMap<RuleSet, Array<Check | undefined>>();

/**
 * Per rule, a check that can rule it out without building verdicts: the `holds` fast paths of the
 * conditions of its top-level `and` (a rule fails if any of them fails). Compiled once per rule set.
 */
function quickChecks(ruleSet: RuleSet): Array<Check | undefined> {
  let checks = compiledChecks.get(ruleSet);
  if (checks) return checks;
  checks = ruleSet.rules.map((rule) => {
    if (!rule.when) return undefined;
    const parts = rule.when.kind === 'and' ? rule.when.items : [rule.when];
    const fast: Check[] = [];
    for (const part of parts) {
      if (part.kind !== 'condition') continue;
      const defined = vocabulary().conditions.get(part.condition.kind);
      const holds = (defined?.definition as ConditionDefinition | undefined)?.holds?.(part.condition.args);
      if (holds) fast.push(holds);
    }
    if (fast.length === 0) return undefined;
    if (fast.length === 1) return fast[0];
    return (ctx, scope) => {
      for (const f of fast) if (!f(ctx, scope)) return false;
      return true;
    };
  });
  compiledChecks.set(ruleSet, checks);
  return checks;
}

/**
 * A result whose reason is built only when someone reads it: a thousand rules tried per message, and
 * their reasons are read only for a trace someone opens. (A class, not object literals with getters,
 * which V8 gives a shape each and the collector then chases.)
 */
class Result implements ConditionResult {
  private text: string | (() => string);
  constructor(
    readonly condition: Expr,
    readonly matched: boolean,
    reason: string | (() => string),
  ) {
    this.text = reason;
  }
  get reason(): string {
    if (typeof this.text !== 'string') this.text = this.text();
    return this.text;
  }
  toJSON() {
    return { condition: this.condition, matched: this.matched, reason: this.reason };
  }
}

function result(condition: Expr, matched: boolean, reason: string | (() => string)): ConditionResult {
  return new Result(condition, matched, reason);
}

class NotMatched implements RuleTrace {
  readonly matched = false;
  private text: string | undefined;
  constructor(
    readonly rule: Rule,
    readonly conditions: ConditionResult[],
  ) {}
  get reason(): string {
    return (this.text ??= `not matched: ${this.conditions.filter((c) => !c.matched).map((c) => c.reason).join('; ')}`);
  }
  toJSON() {
    return { rule: this.rule, matched: false, conditions: this.conditions, reason: this.reason };
  }
}

/**
 * Evaluates `e`. `and` and `or` stop at the first part that decides them (the parts after are "not
 * tried"), which also keeps captures to the regular expressions that made the rule match.
 */
function run(e: Expr, ctx: EvalContext, scope: EvalScope, captures: Record<string, string>): ConditionResult {
  switch (e.kind) {
    case 'condition': {
      const defined = vocabulary().conditions.get(e.condition.kind);
      const verdict: Verdict = defined
        ? (defined.definition as ConditionDefinition).test(e.condition.args, ctx, scope)
        : { matched: false, reason: `'${e.condition.kind}' is not a known condition (a plugin that is no longer loaded?)` };
      if (verdict.matched && verdict.captures) Object.assign(captures, verdict.captures);
      return result(e, verdict.matched, verdict.reason);
    }
    case 'not': {
      const inner = run(e.item, ctx, scope, {});
      return result(e, !inner.matched, () => `${inner.reason}, negated → ${!inner.matched}`);
    }
    case 'and':
    case 'or': {
      const parts: ConditionResult[] = [];
      const decider = e.kind === 'or';
      const local: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const item of e.items) {
        const r = run(item, ctx, scope, local);
        parts.push(r);
        if (r.matched === decider) break;
      }
      const matched = e.kind === 'and' ? parts.every((p) => p.matched) && parts.length === e.items.length : parts.some((p) => p.matched);
      if (matched) Object.assign(captures, local);
      return result(e, matched, () => {
        const said = parts.map((p) => `${exprToText(p.condition)} ${p.matched ? 'matched' : 'did not match'}`);
        const untried = e.items.slice(parts.length).map((i) => `${exprToText(i)} not tried`);
        return `${[...said, ...untried].join(', ')} → ${matched}`;
      });
    }
  }
}

function judge(rule: Rule, conditions: ConditionResult[], captures: Record<string, string>, ctx: EvalContext): RuleTrace {
  if (conditions.some((c) => !c.matched)) return new NotMatched(rule, conditions);
  const held =
    conditions.length === 0 ? 'no conditions' : conditions.length === 1 ? 'the condition holds' : `all ${conditions.length} conditions hold`;
  const refs = projectRefsOf(rule);
  // A rule whose actions name no project (ignore, a plugin's) matches on its conditions alone.
  if (refs.length === 0) return { rule, matched: true, conditions, reason: `matched: ${held}` };
  const targets = new Map<string, 'live' | string>();
  for (const ref of refs) {
    const found = resolveProject(ref, captures, ctx);
    targets.set(found.name, found.project ? (found.project.live ? 'live' : 'deleted') : found.problem);
  }
  const live = [...targets].filter(([, state]) => state === 'live').map(([name]) => name);
  const notLive = [...targets].filter(([, state]) => state !== 'live').map(([name, state]) => `${name} ${state}`);
  if (live.length === 0) {
    return { rule, matched: false, conditions, reason: `skipped: no target project is live (${notLive.join(', ')})` };
  }
  const byId = live.every((n) => /^project \d+$/.test(n));
  const liveText =
    live.length === 1 ? `${live[0]} is live` : byId ? `projects ${live.map((n) => n.slice('project '.length)).join(', ')} are live` : `${live.join(' and ')} are live`;
  const others = notLive.length > 0 ? ` (${notLive.join(', ')})` : '';
  return { rule, matched: true, conditions, reason: `matched: ${held}; ${liveText}${others}` };
}
