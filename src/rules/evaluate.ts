// Which rule a message matches, with a human reason for every rule tried: the rule tester and dry runs show
// these reasons to people asking "why did my mail go there?".

import type {
  Condition,
  ConditionResult,
  EvalContext,
  Evaluation,
  ProjectInfo,
  Rule,
  RuleSet,
  RuleTrace,
} from './types.js';

/**
 * First match wins, top to bottom. A rule matches when every condition holds (repeats included, unlike
 * TargetProcess which used only the first of each kind) and at least one project its actions target is
 * live. Actions aimed at other projects still run and fail later, as in TargetProcess.
 */
export function evaluateRules(ruleSet: RuleSet, ctx: EvalContext): Evaluation {
  // TargetProcess matched against the subject with CR and LF already turned into spaces.
  const subject = ctx.subject.replace(/[\r\n]/g, ' ');
  const foldedSubject = fold(subject);
  const trace: RuleTrace[] = [];
  for (const rule of ruleSet.rules) {
    const conditions = rule.conditions.map((condition) =>
      evaluateCondition(condition, subject, foldedSubject, ctx),
    );
    const entry = judge(rule, conditions, ctx);
    trace.push(entry);
    if (entry.matched) return { matched: rule, trace };
  }
  return { matched: null, trace };
}

function judge(rule: Rule, conditions: ConditionResult[], ctx: EvalContext): RuleTrace {
  const failed = conditions.filter((c) => !c.matched);
  if (failed.length > 0) {
    return { rule, matched: false, conditions, reason: `not matched: ${failed.map((c) => c.reason).join('; ')}` };
  }
  const targets = [...new Set(rule.actions.map((a) => a.projectId))].map((id) => ({
    id,
    state: projectState(ctx.project(id)),
  }));
  const live = targets.filter((t) => t.state === 'live');
  const notLive = targets.filter((t) => t.state !== 'live').map((t) => `project ${t.id} ${t.state}`);
  if (live.length === 0) {
    return { rule, matched: false, conditions, reason: `skipped: no target project is live (${notLive.join(', ')})` };
  }
  const held =
    conditions.length === 0
      ? 'no conditions'
      : conditions.length === 1
        ? 'the condition holds'
        : `all ${conditions.length} conditions hold`;
  const liveText =
    live.length === 1
      ? `project ${live[0]!.id} is live`
      : `projects ${live.map((t) => t.id).join(', ')} are live`;
  const others = notLive.length > 0 ? ` (${notLive.join(', ')})` : '';
  return { rule, matched: true, conditions, reason: `matched: ${held}; ${liveText}${others}` };
}

function projectState(info: ProjectInfo | undefined): 'live' | 'deleted' | 'unknown' {
  if (!info) return 'unknown';
  return info.live ? 'live' : 'deleted';
}

function evaluateCondition(
  condition: Condition,
  subject: string,
  foldedSubject: string,
  ctx: EvalContext,
): ConditionResult {
  if (condition.kind === 'subjectContains') {
    // A plain substring, not a whole word: 'tp' matches "output", as in TargetProcess.
    const hit = condition.keywords.find((k) => foldedSubject.includes(fold(k)));
    return hit !== undefined
      ? { condition, matched: true, reason: `subject contains '${hit}'` }
      : {
          condition,
          matched: false,
          reason: `subject "${subject}" contains none of ${condition.keywords.map((k) => `'${k}'`).join(', ')}`,
        };
  }
  const id = condition.projectId;
  const fail = (reason: string): ConditionResult => ({ condition, matched: false, reason });
  // Checked in TargetProcess's order: the project first, then the sender.
  const project = ctx.project(id);
  if (!project) return fail(`project ${id} is unknown`);
  if (!project.live) return fail(`project ${id} is deleted`);
  if (project.companyId === null) return fail(`project ${id} has no company`);
  const sender = ctx.senderCompanyId;
  if (sender === null) return fail(`sender's company (none) is not the company of project ${id}`);
  if (sender !== project.companyId) {
    return fail(`sender's company ${sender} is not the company of project ${id} (company ${project.companyId})`);
  }
  return { condition, matched: true, reason: `sender's company ${sender} is the company of project ${id}` };
}

/**
 * Case-insensitive comparison key. TargetProcess used .NET's culture-aware invariant ignore-case search;
 * composing (NFC) and upper-then-lower casing comes close: 'Ä' finds 'ä', 'STRASSE' finds 'straße'.
 */
function fold(s: string): string {
  return s.normalize('NFC').toUpperCase().toLowerCase();
}
