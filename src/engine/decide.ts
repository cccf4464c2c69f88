// decide(message, rules, tracker snapshot) → Plan. Pure: no I/O, no clock. That is what makes dry
// runs (`rules test`), reprocessing and the trace possible.
import { classify, findTicketReference } from '../mail/index.js';
import type { Message } from '../mail/message.js';
import { actionToText, evaluateRules, type Action, type RuleSet } from '../rules/index.js';
import type { TrackerSnapshot } from '../tracker/port.js';
import type { Plan, PlanStep, RuleTraceEntry, Trace } from './plan.js';
import { stepToText } from './plan.js';
import { planRequesters, resolveSender } from './sender.js';

export interface DecideOptions {
  /** The profile's own mailbox addresses: never requesters. */
  ownAddresses?: string[];
  /** Domains of our own outgoing mail, for loop detection. */
  ownDomains?: string[];
}

export function decide(message: Message, ruleSet: RuleSet, snapshot: TrackerSnapshot, options: DecideOptions = {}): Plan {
  const classification = classify(message, options.ownDomains ?? []);
  const sender = resolveSender(message, snapshot);
  const trace: Trace = { classification, sender, reference: null, rules: [], plan: [], warnings: [] };
  const base = { requesters: [], sender, trace };

  if (classification.kind !== 'human') {
    return { ...base, outcome: 'ignored', reason: `${classification.kind}: ${classification.reason}`, ruleLine: null, actions: [], steps: [] };
  }
  const requesters = planRequesters(message, snapshot, new Set((options.ownAddresses ?? []).map((a) => a.toLowerCase())));

  // TargetProcess compatibility: a Ticket#N in the body (its notification footer, quoted in replies)
  // makes the message a comment on item N; an unknown N falls back to the rules.
  const ticket = findTicketReference(message.text) ?? (message.html ? findTicketReference(message.html) : null);
  if (ticket !== null) {
    const exists = snapshot.itemExists(ticket);
    trace.reference = { ticket, exists };
    if (exists) {
      const steps: PlanStep[] = [{ op: 'comment', itemId: ticket }];
      const actions = steps.map(stepToText);
      trace.plan = actions;
      // Requesters are created only for imported mail: a comment links the people we already know.
      const known = requesters.filter((r) => r.existingId !== null);
      return { outcome: 'commented', reason: `Ticket#${ticket} in the body`, ruleLine: null, actions, steps, requesters: known, sender, trace };
    }
  }

  if (ruleSet.rules.length === 0) {
    return { ...base, outcome: 'skipped', reason: 'the profile has no rules', ruleLine: null, actions: [], steps: [] };
  }
  const evaluation = evaluateRules(ruleSet, {
    subject: message.subject,
    senderCompanyId: sender.companyId,
    project: (id) => {
      const project = snapshot.project(id);
      return project ? { live: project.live, companyId: project.companyId } : undefined;
    },
  });
  trace.rules = evaluation.trace.map(
    (t): RuleTraceEntry => ({
      line: t.rule.line,
      source: t.rule.source,
      matched: t.matched,
      reason: t.reason,
      conditions: t.conditions.map((c) => ({ matched: c.matched, reason: c.reason })),
    }),
  );
  const rule = evaluation.matched;
  if (!rule) {
    const reason = ticket !== null ? `Ticket#${ticket} names no item, and no rule matched` : 'no rule matched';
    return { ...base, outcome: 'skipped', reason, ruleLine: null, actions: [], steps: [] };
  }
  const steps = rule.actions.map((action) => toStep(action, snapshot, trace.warnings)).filter((s): s is PlanStep => s !== null);
  const actions = steps.map(stepToText);
  trace.plan = actions;
  return { outcome: 'imported', reason: null, ruleLine: rule.line, actions, steps, requesters, sender, trace };
}

// A matched rule may still name a deleted project (it matched through another, live one) or a team
// that does not exist. TargetProcess ran such an action and let it fail; we leave out only what cannot
// be done and say so, instead of failing the whole message.
function toStep(action: Action, snapshot: TrackerSnapshot, warnings: string[]): PlanStep | null {
  const project = snapshot.project(action.projectId);
  if (!project?.live) {
    warnings.push(`left out '${actionToText(action)}': project ${action.projectId} ${project ? 'is deleted' : 'does not exist'}`);
    return null;
  }
  switch (action.kind) {
    case 'attachToProject':
      return { op: 'attachToProject', projectId: action.projectId };
    case 'createRequest': {
      let teamId = action.teamId;
      if (teamId !== null && !snapshot.teamExists(teamId)) {
        warnings.push(`team ${teamId} does not exist: the request in project ${action.projectId} is created without a team`);
        teamId = null;
      }
      return { op: 'createRequest', projectId: action.projectId, isPrivate: action.visibility === 'private', teamId };
    }
  }
}
