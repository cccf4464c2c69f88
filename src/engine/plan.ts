// A plan is what one message produces: its outcome, the tracker steps as structured data, and
// everything needed to explain it. decide() makes it without I/O; execute() carries it out. The words
// shown for a plan ("attach to project 2") are derived from its steps by stepToText, never stored
// beside them in the plan.
import type { Classification } from '../mail/index.js';
import { effectToText, type Effect } from '../rules/index.js';

export type PlannedOutcome = 'imported' | 'commented' | 'skipped' | 'ignored';

export interface PlannedRequester {
  email: string;
  name: string;
  role: 'from' | 'cc' | 'reply-to';
  /** The existing requester, or null when it will be created. */
  existingId: number | null;
  companyId: number | null;
}

export interface SenderResolution {
  email: string | null;
  name: string;
  userId: number | null;
  requesterId: number | null;
  companyId: number | null;
  /** How the company was found: the requester's record, or the email domain of a new sender. */
  companyVia: 'requester' | 'domain' | null;
  summary: string;
}

/**
 * One tracker operation: an effect of the matched rule (its actions with projects resolved and
 * captures filled in, printed in the rule language's words); a reply's comment is the one step no rule
 * writes.
 */
export type PlanStep = Effect | { kind: 'comment'; itemId: number };

export interface RuleTraceEntry {
  line: number;
  source: string;
  matched: boolean;
  reason: string;
  /** Each condition as written (canonical form), whether it held, and why in words. */
  conditions: Array<{ condition: string; matched: boolean; reason: string }>;
}

export interface Trace {
  classification: Classification;
  sender: SenderResolution;
  reference: { ticket: number; exists: boolean } | null;
  /**
   * For a reply made a comment: how its new words were told from what it carries along (quote, forwarded
   * mail, signature), and whether nothing would have been left so the whole text was kept.
   */
  reply?: { how: string; fullTextKept: boolean };
  rules: RuleTraceEntry[];
  /** Rules tried that did not match and are not listed in `rules` (past the first MAX_TRACED_RULES). */
  rulesNotListed?: number;
  /** Actions of the matched rule that were left out or changed, and why. */
  warnings: string[];
  /**
   * The version of the profile's rules that decided (rules history); null for rules tried without
   * being saved (a dry run, a preview). Absent in traces recorded before rules had a history.
   */
  rulesVersion?: number | null;
}

export interface Plan {
  outcome: PlannedOutcome;
  reason: string | null;
  ruleLine: number | null;
  steps: PlanStep[];
  requesters: PlannedRequester[];
  /** Classification, sender, reference and every rule tried: the why of the outcome. */
  trace: Trace;
  /** With a comment step: the comment's text and what was stripped from the reply to make it. */
  comment?: { body: string; quotedText: string | null };
}

export function stepToText(step: PlanStep): string {
  return step.kind === 'comment' ? `comment on item ${step.itemId}` : effectToText(step);
}

/** The plan's steps in words, as shown and stored with the outcome. */
export function planActions(plan: Pick<Plan, 'steps'>): string[] {
  return plan.steps.map(stepToText);
}
