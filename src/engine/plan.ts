// A plan is the plain list of tracker operations one message produces, plus everything needed to
// explain it. decide() makes it without I/O; execute() carries it out.

export interface Classification {
  kind: 'human' | 'auto-reply' | 'bounce' | 'bulk' | 'own-loop';
  reason: string;
}

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

export type PlanStep =
  | { op: 'attachToProject'; projectId: number }
  | { op: 'createRequest'; projectId: number; isPrivate: boolean; teamId: number | null }
  | { op: 'comment'; itemId: number };

export interface RuleTraceEntry {
  line: number;
  source: string;
  matched: boolean;
  reason: string;
  conditions: Array<{ matched: boolean; reason: string }>;
}

export interface Trace {
  classification: Classification;
  sender: SenderResolution;
  reference: { ticket: number; exists: boolean } | null;
  rules: RuleTraceEntry[];
  plan: string[];
  /** Actions of the matched rule that were left out or changed, and why. */
  warnings: string[];
}

export interface Plan {
  outcome: PlannedOutcome;
  reason: string | null;
  ruleLine: number | null;
  actions: string[];
  steps: PlanStep[];
  requesters: PlannedRequester[];
  sender: SenderResolution;
  trace: Trace;
}

export function stepToText(step: PlanStep): string {
  switch (step.op) {
    case 'attachToProject':
      return `attach to project ${step.projectId}`;
    case 'createRequest':
      return (
        `create ${step.isPrivate ? '' : 'public '}request in project ${step.projectId}` +
        (step.teamId !== null ? ` and attach request to team ${step.teamId}` : '')
      );
    case 'comment':
      return `comment on item ${step.itemId}`;
  }
}
