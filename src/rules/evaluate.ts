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
  const trace: RuleTrace[] = [];
  for (const rule of ruleSet.rules) {
    const captures: Record<string, string> = {};
    const conditions = rule.when ? topLevel(rule.when).map((e) => run(e, ctx, scope, captures)) : [];
    const entry = judge(rule, conditions, captures, ctx);
    trace.push(entry);
    if (entry.matched) return { matched: rule, trace, ...effectsOf(rule, captures, ctx) };
  }
  return { matched: null, trace, effects: [], warnings: [] };
}

/** The parts of the rule's top-level `and`, each one line of the trace. */
function topLevel(e: Expr): Expr[] {
  return e.kind === 'and' ? e.items : [e];
}

/** A result whose reason is built only when someone reads it. */
function result(condition: Expr, matched: boolean, reason: string | (() => string)): ConditionResult {
  if (typeof reason === 'string') return { condition, matched, reason };
  let text: string | undefined;
  return {
    condition,
    matched,
    get reason() {
      return (text ??= reason());
    },
  };
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
      return result(e, !inner.matched, () => `${exprToText(e.item)} ${inner.matched ? 'matched' : 'did not match'} (${inner.reason}) → ${inner.matched ? 'false' : 'true'}`);
    }
    case 'and':
    case 'or': {
      const parts: ConditionResult[] = [];
      const decider = e.kind === 'or';
      const local: Record<string, string> = {};
      for (const item of e.items) {
        const r = run(item, ctx, scope, local);
        parts.push(r);
        if (r.matched === decider) break;
      }
      const matched = e.kind === 'and' ? parts.every((p) => p.matched) && parts.length === e.items.length : parts.some((p) => p.matched);
      if (matched) Object.assign(captures, local);
      return result(e, matched, () => {
        const said = parts.map((p) => `${exprToText(p.condition)} ${p.matched ? 'matched' : 'did not match'}`);
        const untried = e.items.length - parts.length;
        return `${said.join(', ')}${untried ? `, ${untried} more not tried` : ''} → ${matched}`;
      });
    }
  }
}

function judge(rule: Rule, conditions: ConditionResult[], captures: Record<string, string>, ctx: EvalContext): RuleTrace {
  const failed = conditions.filter((c) => !c.matched);
  if (failed.length > 0) {
    let reason: string | undefined;
    return {
      rule,
      matched: false,
      conditions,
      get reason() {
        return (reason ??= `not matched: ${failed.map((c) => c.reason).join('; ')}`);
      },
    };
  }
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
  const liveText = live.length === 1 ? `${live[0]} is live` : `projects ${live.map((n) => n.replace(/^project /, '')).join(', ')} are live`;
  const others = notLive.length > 0 ? ` (${notLive.join(', ')})` : '';
  return { rule, matched: true, conditions, reason: `matched: ${held}; ${liveText}${others}` };
}
