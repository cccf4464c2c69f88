// What a matched rule's actions come to for one message: projects resolved (by id, code or capture),
// {captures} filled in, modifiers folded into the item created before them. What cannot be done is left
// out with a warning instead of failing the message: TargetProcess ran such an action and let it fail.

import { normalizeState } from './actions.js';
import { actionToText } from './format.js';
import type { ActionDefinition, ActionStep } from './language.js';
import type { Clause, Effect, EvalContext, ItemSettings, MessageView, ProjectInfo, ProjectRef, Rule } from './types.js';
import { vocabulary } from './vocabulary.js';

/** The project references of a rule's actions, in order. */
export function projectRefsOf(rule: Rule): ProjectRef[] {
  const refs: ProjectRef[] = [];
  for (const action of rule.actions) {
    for (const step of stepsOf(action, null)) if (step.do === 'attach' || step.do === 'create') refs.push(step.project);
  }
  return refs;
}

export interface ResolvedProject {
  /** How the trace names it: "project 2", "project ACME", "project ZED (from {code})". */
  name: string;
  project: ProjectInfo | undefined;
  /** Why there is no project: 'unknown', or what the capture lacked. */
  problem: string;
}

export function resolveProject(ref: ProjectRef, captures: Record<string, string>, ctx: EvalContext): ResolvedProject {
  if ('id' in ref) return { name: `project ${ref.id}`, project: ctx.project(ref.id), problem: 'unknown' };
  if ('code' in ref) return { name: `project ${ref.code}`, project: ctx.projectByCode(ref.code), problem: 'unknown' };
  const value = Object.hasOwn(captures, ref.capture) ? captures[ref.capture] : undefined;
  if (value === undefined) return { name: `project {${ref.capture}}`, project: undefined, problem: 'has nothing captured' };
  const trimmed = value.trim();
  // A capture of digits names a project by id, anything else by code.
  const project = /^[0-9]{1,10}$/.test(trimmed) ? ctx.project(Number(trimmed)) : ctx.projectByCode(trimmed);
  return { name: `project ${trimmed} (from {${ref.capture}})`, project, problem: 'names no project' };
}

/** Fills {name} with the capture; `\{` is a brace. Undefined when a capture is missing. */
export function fillCaptures(text: string, captures: Record<string, string>): string | undefined {
  let missing = false;
  const filled = text.replace(/\\\{|\{([\p{L}_][\p{L}\p{N}_]*)\}/gu, (whole, name: string | undefined) => {
    if (name === undefined) return '{';
    const value = Object.hasOwn(captures, name) ? captures[name] : undefined;
    if (value === undefined) missing = true;
    return value ?? whole;
  });
  return missing ? undefined : filled;
}

function stepsOf(action: Omit<Clause, 'span'>, message: MessageView | null, args = action.args): ActionStep[] {
  const defined = vocabulary().actions.get(action.kind);
  if (!defined) return [];
  return (defined.definition as ActionDefinition).steps(args, message ?? NO_MESSAGE);
}

const NO_MESSAGE: MessageView = {
  subject: '', from: '', to: [], cc: [], recipients: [], body: '', header: () => [], attachments: [], size: 0,
  sender: { email: null, is: 'unknown', companyId: null, companyName: null },
};

const emptySettings = (): ItemSettings => ({ state: null, priority: null, severity: null, assignee: null, tags: [], fields: {} });

export function effectsOf(rule: Rule, captures: Record<string, string>, ctx: EvalContext): { effects: Effect[]; warnings: string[] } {
  const effects: Effect[] = [];
  const warnings: string[] = [];
  /** The item the last create made; null when that create was left out. */
  let item: Extract<Effect, { kind: 'create' }> | null | undefined;
  for (const action of rule.actions) {
    const written = actionToText(action);
    const leftOut = (why: string) => warnings.push(`left out '${written}': ${why}`);
    // Text slots get their {captures}; a missing one leaves the action out.
    let missing = false;
    const args = action.args.map((a) => {
      if (typeof a !== 'string') return a;
      const filled = fillCaptures(a, captures);
      if (filled === undefined) missing = true;
      return filled ?? a;
    });
    if (missing) {
      leftOut('a {capture} it uses has no value');
      // A create left out is no item for the modifiers after it, which must not fall to an earlier item.
      if (vocabulary().actions.get(action.kind)?.definition.role === 'create') item = null;
      continue;
    }
    for (const step of stepsOf(action, ctx.message, args)) {
      if (step.do === 'attach' || step.do === 'create') {
        const found = resolveProject(step.project, captures, ctx);
        if (!found.project?.live) {
          const state = found.project ? 'is deleted' : step.project && 'id' in step.project ? 'does not exist' : found.problem;
          leftOut(`${found.name} ${state}`);
          if (step.do === 'create') item = null;
          continue;
        }
        if (step.do === 'attach') {
          effects.push({ kind: 'attach', projectId: found.project.id });
        } else {
          item = { kind: 'create', item: step.item, projectId: found.project.id, visibility: step.visibility, teamId: null, title: step.title, settings: emptySettings() };
          effects.push(item);
        }
        continue;
      }
      if (step.do === 'ignore') {
        effects.push({ kind: 'ignore', reason: step.reason });
        continue;
      }
      if (step.do === 'reply') {
        effects.push({ kind: 'reply', template: step.template });
        continue;
      }
      // A modifier: it changes the item created before it, if that was made.
      if (!item) {
        if (item === null) leftOut('the item it applies to was left out');
        continue;
      }
      applyModifier(item, step, ctx, leftOut, warnings);
    }
  }
  return { effects, warnings };
}

function applyModifier(
  item: Extract<Effect, { kind: 'create' }>,
  step: Exclude<ActionStep, { do: 'attach' | 'create' | 'ignore' | 'reply' }>,
  ctx: EvalContext,
  leftOut: (why: string) => void,
  warnings: string[],
): void {
  const s = item.settings;
  switch (step.do) {
    case 'team':
      if (ctx.teamExists(step.teamId)) item.teamId = step.teamId;
      else warnings.push(`team ${step.teamId} does not exist: the request in project ${item.projectId} is created without a team`);
      return;
    case 'set':
      // Parsing keeps 'set severity' to bugs; a plugin's step is checked here.
      if (step.setting === 'severity' && item.item !== 'bug') leftOut(`only bugs have a severity, and the item is a ${item.item}`);
      else if (step.setting === 'state' && normalizeState(step.value) === null) leftOut(`'${step.value}' is not a state`);
      else s[step.setting] = step.setting === 'state' ? normalizeState(step.value)! : step.value;
      return;
    case 'assign': {
      const userId = ctx.staff(step.email);
      if (userId === undefined) leftOut(`no staff user has the email ${step.email}`);
      else s.assignee = { email: step.email, userId };
      return;
    }
    case 'tag':
      if (!s.tags.some((t) => t.toLowerCase() === step.tag.toLowerCase())) s.tags.push(step.tag);
      return;
    case 'field':
      s.fields[step.name] = step.value;
      return;
  }
}
