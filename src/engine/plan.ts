// A plan is what one message produces: its outcome, the tracker steps as structured data, and
// everything needed to explain it. decide() makes it without I/O; execute() carries it out. The words
// shown for a plan ("attach to project 2") are derived from its steps by stepToText, never stored
// beside them in the plan.
import type { Classification } from '../mail/index.js';
import { effectToText, type Effect } from '../rules/index.js';
import type { NewParticipant } from '../tracker/port.js';
import type { BindingLayer } from './binders/index.js';

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
 * captures filled in, printed in the rule language's words), or one a reply makes that no rule
 * writes: its comment, the people it brings onto the item, reopening a closed item, and linking what
 * a reply to a closed item created to that item.
 */
export type PlanStep = Effect | ReplyStep;

export type ReplyStep =
  | { kind: 'comment'; itemId: number }
  | { kind: 'add-participants'; itemId: number; participants: NewParticipant[] }
  | { kind: 'reopen'; itemId: number }
  /** Every item this plan creates follows up `itemId`. */
  | { kind: 'follow-up'; itemId: number }
  /** Mail the sender the profile's acknowledgement for each item this plan creates (the outbox sends it). */
  | { kind: 'acknowledge' }
  /**
   * mailbind's own note on an item, not a person's words: a bounce of mail we sent about it (the outbox
   * row `bouncedMail` is marked bounced with it). The only step an ignored message carries out.
   */
  | { kind: 'note'; itemId: number; text: string; bouncedMail: number | null };

/** What bound a reply to its item, as the trace keeps it. */
export interface TracedBinding {
  layer: BindingLayer;
  evidence: string;
  itemId: number;
}

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
  /** The item the reply became a comment on, and the evidence; null for new mail. */
  binding: TracedBinding | null;
  /**
   * Why each candidate item did not take the message: a Ticket#N naming no item, a deleted item, a
   * sender who is not a participant, a closed item the profile makes new items for. Empty when none.
   */
  bindingRefused: string[];
  /** Who may add to the bound item and why this sender may ("ann@x is a requester of request 12"). */
  replyAccess?: string;
  /** Traces recorded before issue 12 (Ticket#N only) say this instead of `binding`. */
  reference?: { ticket: number; exists: boolean } | null;
  /**
   * For a reply made a comment: how its new words were told from what it carries along (quote, forwarded
   * mail, signature), and whether nothing would have been left so the whole text was kept.
   */
  reply?: { how: string; fullTextKept: boolean };
  /**
   * Set when the per-sender rate limit held the message: the profile's limit, and the sender's messages
   * of the hour before it that got through and that were held.
   */
  rateLimit?: { limit: number; reached: number; held: number };
  /**
   * For a bounce: which mail of ours it returns and where that was noted ("a bounce of our acknowledgement
   * to ann@x, noted on request 12"), or why nothing was noted. Absent for other mail.
   */
  bounce?: string;
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
  comment?: {
    body: string;
    quotedText: string | null;
    /** Content-IDs (mail/reply/quoted-images.ts contentIdKey) of inline images only the quote showed: kept on the message, not on the comment. */
    quotedImages?: string[];
  };
}

export function stepToText(step: PlanStep): string {
  switch (step.kind) {
    case 'comment':
      return `comment on item ${step.itemId}`;
    case 'add-participants':
      return `add ${step.participants.map((p) => p.email).join(', ')} as participants of item ${step.itemId}`;
    case 'reopen':
      return `reopen item ${step.itemId}`;
    case 'follow-up':
      return `link the new items as following up item ${step.itemId}`;
    case 'acknowledge':
      return 'acknowledge the new items to the sender by mail';
    case 'note':
      return `note on item ${step.itemId}: "${step.text}"`;
    default:
      return effectToText(step);
  }
}

/** The plan's steps in words, as shown and stored with the outcome. */
export function planActions(plan: Pick<Plan, 'steps'>): string[] {
  return plan.steps.map(stepToText);
}
