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
  // Rules a quick check ruled out cost nothing more here: their trace entries are built only when read.
  // The rules tried are always the first `tried` of the set; the ones evaluated in full are kept.
  const evaluated = new Map<number, RuleTrace>();
  const rules = ruleSet.rules;
  for (let i = 0; i < rules.length; i++) {
    const check = quick[i];
    if (check && !check(ctx, scope)) continue;
    const rule = rules[i]!;
    const { entry, captures } = evaluateRule(rule, ctx, scope);
    evaluated.set(i, entry);
    if (entry.matched) return new LazyEvaluation(rule, effectsOf(rule, captures, ctx), rules, i + 1, evaluated, ctx, scope);
  }
  return new LazyEvaluation(null, { effects: [], warnings: [] }, rules, rules.length, evaluated, ctx, scope);
}

class LazyEvaluation implements Evaluation {
  private full: RuleTrace[] | undefined;
  constructor(
    readonly matched: Rule | null,
    work: { effects: Evaluation['effects']; warnings: string[] },
    private readonly rules: Rule[],
    /** How many rules were tried: the first ones of the set. */
    readonly tried: number,
    private readonly evaluated: Map<number, RuleTrace>,
    private readonly ctx: EvalContext,
    private readonly scope: EvalScope,
  ) {
    this.effects = work.effects;
    this.warnings = work.warnings;
  }
  readonly effects: Evaluation['effects'];
  readonly warnings: string[];

  private entry(i: number): RuleTrace {
    return this.evaluated.get(i) ?? evaluateRule(this.rules[i]!, this.ctx, this.scope).entry;
  }

  get trace(): RuleTrace[] {
    return (this.full ??= this.traceHead(this.tried));
  }

  traceHead(limit: number): RuleTrace[] {
    const n = Math.min(limit, this.tried);
    const head: RuleTrace[] = [];
    for (let i = 0; i < n; i++) head.push(this.entry(i));
    // The deciding rule is always there, however far down it is.
    if (this.matched && n < this.tried) head.push(this.entry(this.tried - 1));
    return head;
  }

  toJSON() {
    return { matched: this.matched, trace: this.trace, effects: this.effects, warnings: this.warnings };
  }
}

/** Where the captures of the conditions that matched are kept until the rule is known to match. */
type CaptureSources = Array<NonNullable<Verdict['captures']>>;

function evaluateRule(rule: Rule, ctx: EvalContext, scope: EvalScope): { entry: RuleTrace; captures: Record<string, string> } {
  const conditions: ConditionResult[] = [];
  const sources: CaptureSources = [];
  if (rule.when) {
    if (rule.when.kind === 'and') for (const e of rule.when.items) conditions.push(run(e, ctx, scope, sources));
    else conditions.push(run(rule.when, ctx, scope, sources));
  }
  // Captures are read only for a rule whose conditions all hold: its actions may use them.
  const captures = Object.create(null) as Record<string, string>;
  if (conditions.every((c) => c.matched)) for (const source of sources) Object.assign(captures, typeof source === 'function' ? source() : source);
  return { entry: judge(rule, conditions, captures, ctx), captures };
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
function run(e: Expr, ctx: EvalContext, scope: EvalScope, captures: CaptureSources): ConditionResult {
  switch (e.kind) {
    case 'condition': {
      const defined = vocabulary().conditions.get(e.condition.kind);
      const verdict: Verdict = defined
        ? (defined.definition as ConditionDefinition).test(e.condition.args, ctx, scope)
        : { matched: false, reason: `'${e.condition.kind}' is not a known condition (a plugin that is no longer loaded?)` };
      if (verdict.matched && verdict.captures) captures.push(verdict.captures);
      return result(e, verdict.matched, verdict.reason);
    }
    case 'not': {
      const inner = run(e.item, ctx, scope, []);
      return result(e, !inner.matched, () => `${inner.reason}, negated → ${!inner.matched}`);
    }
    case 'and':
    case 'or': {
      const parts: ConditionResult[] = [];
      const decider = e.kind === 'or';
      const local: CaptureSources = [];
      for (const item of e.items) {
        const r = run(item, ctx, scope, local);
        parts.push(r);
        if (r.matched === decider) break;
      }
      const matched = e.kind === 'and' ? parts.every((p) => p.matched) && parts.length === e.items.length : parts.some((p) => p.matched);
      if (matched) captures.push(...local);
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
