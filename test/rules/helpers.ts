// Shared by the rule tests: ASTs without positions in TargetProcess's terms, so the tables of the
// TargetProcess subset state meaning only (and stay as they were before the language grew), and
// evaluation contexts built from a few facts.

import type { Action, Clause, EvalContext, Expr, MessageView, ProjectInfo, ProjectRef, RuleSet } from '../../src/rules/index.js';

export type PlainCondition =
  | { kind: 'subjectContains'; keywords: string[] }
  | { kind: 'companyMatched'; projectId: number };
export type PlainAction =
  | { kind: 'attachToProject'; projectId: number }
  | { kind: 'createRequest'; projectId: number; visibility: 'private' | 'public'; teamId: number | null };
export interface PlainRule {
  conditions: PlainCondition[];
  actions: PlainAction[];
}

const idOf = (ref: unknown) => (ref as { id: number }).id;

function plainCondition(e: Expr): PlainCondition {
  if (e.kind !== 'condition') throw new Error(`not a TargetProcess condition: ${e.kind}`);
  const c = e.condition;
  if (c.kind === 'subject contains {keywords}') return { kind: 'subjectContains', keywords: c.args[0] as string[] };
  if (c.kind === 'company matched to project {project}') return { kind: 'companyMatched', projectId: idOf(c.args[0]) };
  throw new Error(`not a TargetProcess condition: ${c.kind}`);
}

function plainActions(actions: Action[]): PlainAction[] {
  const out: PlainAction[] = [];
  for (const a of actions) {
    if (a.kind === 'attach to project {project}') out.push({ kind: 'attachToProject', projectId: idOf(a.args[0]) });
    else if (a.kind.startsWith('create request in project')) out.push({ kind: 'createRequest', projectId: idOf(a.args[0]), visibility: 'private', teamId: null });
    else if (a.kind.startsWith('create public request in project')) out.push({ kind: 'createRequest', projectId: idOf(a.args[0]), visibility: 'public', teamId: null });
    else if (a.kind === 'attach request to team {team}') (out[out.length - 1] as { teamId: number | null }).teamId = a.args[0] as number;
    else throw new Error(`not a TargetProcess action: ${a.kind}`);
  }
  return out;
}

export function plain(ruleSet: RuleSet): PlainRule[] {
  return ruleSet.rules.map((r) => ({
    conditions: r.when ? (r.when.kind === 'and' ? r.when.items : [r.when]).map(plainCondition) : [],
    actions: plainActions(r.actions),
  }));
}

export const subject = (...keywords: string[]): PlainCondition => ({ kind: 'subjectContains', keywords });
export const company = (projectId: number): PlainCondition => ({ kind: 'companyMatched', projectId });
export const attach = (projectId: number): PlainAction => ({ kind: 'attachToProject', projectId });
export const create = (
  projectId: number,
  visibility: 'private' | 'public' = 'private',
  teamId: number | null = null,
): PlainAction => ({ kind: 'createRequest', projectId, visibility, teamId });

/**
 * A message with only what a test sets. `headers` (a value or several per name) back `header()`, which
 * finds a name in any case; recipients, unless given, are To, Cc, Delivered-To and X-Original-To, as
 * engine/message-view.ts builds them from a real message.
 */
export function view(
  fields: Partial<Omit<MessageView, 'sender'>> & { sender?: Partial<MessageView['sender']>; headers?: Record<string, string | string[]> } = {},
): MessageView {
  const { sender, headers = {}, ...rest } = fields;
  const byName = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    byName.set(name.toLowerCase(), [...(byName.get(name.toLowerCase()) ?? []), ...(Array.isArray(value) ? value : [value])]);
  }
  const header = (name: string) => byName.get(name.toLowerCase()) ?? [];
  const to = rest.to ?? [];
  const cc = rest.cc ?? [];
  return {
    subject: '',
    from: '',
    body: '',
    attachments: [],
    size: 0,
    header,
    recipients: [...to, ...cc, ...header('delivered-to'), ...header('x-original-to')],
    ...rest,
    to,
    cc,
    sender: { email: null, is: 'unknown', companyId: null, companyName: null, ...sender },
  };
}

export interface World {
  projects?: Record<number, Omit<ProjectInfo, 'id'> & { code?: string }>;
  staff?: Record<string, number>;
  teams?: number[];
}

export function context(message: MessageView, world: World = {}): EvalContext {
  const projects = world.projects ?? {};
  const info = (id: number): ProjectInfo | undefined => {
    const p = projects[id];
    return p ? { id, live: p.live, companyId: p.companyId } : undefined;
  };
  return {
    message,
    project: info,
    projectByCode: (code) => {
      const hit = Object.entries(projects).find(([, p]) => p.code?.toLowerCase() === code.toLowerCase());
      return hit ? info(Number(hit[0])) : undefined;
    },
    staff: (email) => world.staff?.[email.toLowerCase()],
    teamExists: (id) => (world.teams ?? []).includes(id),
  };
}

export type { Clause, ProjectRef };
