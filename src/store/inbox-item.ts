// One inbox item as the rest of mailbind sees it, and how a database row becomes one.
import type { Selectable } from 'kysely';
import type { InboxItemTable, InboxState, Outcome } from './schema.js';

export interface InboxItem {
  id: number;
  profileId: number;
  originKey: string;
  rawRef: string;
  rawSize: number;
  messageId: string | null;
  subject: string | null;
  fromAddress: string | null;
  state: InboxState;
  attempts: number;
  nextAttemptAt: string;
  outcome: Outcome | null;
  reason: string | null;
  ruleLine: number | null;
  /** The version of the profile's rules that decided it; null before rules had a history. */
  rulesVersion: number | null;
  actions: string[];
  created: Record<string, number[]>;
  trace: unknown;
  lastError: string | null;
  receivedAt: string;
  processedAt: string | null;
  ackState: 'pending' | 'done' | null;
  ackAction: string | null;
  /** Who holds the item while it is processed. */
  claimedBy: string | null;
  /** Times it was taken over from a holder that stopped while holding it (claimDueItems). */
  takeovers: number;
  /** Claimed alone by claimDueItems, for having been taken over before: nothing is to be claimed beside it. */
  heldAlone?: true;
}

export function toInboxItem(row: Selectable<InboxItemTable>): InboxItem {
  return {
    id: Number(row.id),
    profileId: Number(row.profile_id),
    originKey: row.origin_key,
    rawRef: row.raw_ref,
    rawSize: Number(row.raw_size),
    messageId: row.message_id,
    subject: row.subject,
    fromAddress: row.from_address,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    outcome: row.outcome,
    reason: row.reason,
    ruleLine: row.rule_line,
    rulesVersion: row.rules_version === null ? null : Number(row.rules_version),
    actions: row.actions ? (JSON.parse(row.actions) as string[]) : [],
    created: row.created ? (JSON.parse(row.created) as Record<string, number[]>) : {},
    trace: row.trace ? JSON.parse(row.trace) : null,
    lastError: row.last_error,
    receivedAt: row.received_at,
    processedAt: row.processed_at,
    ackState: row.ack_state,
    ackAction: row.ack_action,
    claimedBy: row.claimed_by,
    takeovers: row.takeovers,
  };
}
