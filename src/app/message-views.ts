// Typed read models of the inbox: a processed message as import, deliver and fetch report it, and the
// list and detail views of stored messages with their trace. Faces print or serve these as they are.
import type { Created } from '../engine/execute.js';
import type { ProcessResult } from '../engine/process.js';
import type { Trace } from '../engine/plan.js';
import type { InboxItem } from '../store/inbox.js';
import type { InboxState, Outcome } from '../store/schema.js';

export type { Created, Trace };
export type OutcomeOrPending = Outcome | 'pending';
export const OUTCOMES: readonly OutcomeOrPending[] = ['imported', 'commented', 'skipped', 'ignored', 'failed', 'pending'];

/** One message just taken in (import, deliver, fetch) and what became of it. */
export interface ProcessedMessage {
  /** The file or mbox entry it came from (import). */
  file?: string;
  itemId: number;
  messageId: string | null;
  subject: string | null;
  /** `pending` while the message waits for another attempt. */
  outcome: OutcomeOrPending;
  rule: number | null;
  actions: string[];
  /** Ids of the tracker items created (requests, stories, bugs, tasks). */
  created: number[];
  /** Everything created, by kind. */
  createdDetail: Created;
  reason: string | null;
  /** True when the message was in the inbox already: nothing new was done. */
  duplicate: boolean;
  /**
   * Import: the message was stored by an earlier run that never finished it (a crash). With
   * `duplicate: false` it was processed now; with `duplicate: true` it is still waiting.
   */
  storedEarlier?: boolean;
}

export function processedMessage(
  result: ProcessResult,
  extra: { file?: string; duplicate?: boolean; storedEarlier?: boolean } = {},
): ProcessedMessage {
  return {
    ...(extra.file !== undefined ? { file: extra.file } : {}),
    itemId: result.itemId,
    messageId: result.messageId,
    subject: result.subject,
    outcome: result.outcome ?? 'pending',
    rule: result.rule,
    actions: result.actions,
    created: [...result.created.items],
    createdDetail: { ...result.created },
    reason: result.reason,
    duplicate: extra.duplicate ?? false,
    ...(extra.storedEarlier ? { storedEarlier: true } : {}),
  };
}

/** A message processed earlier (or decided at intake), as the inbox recorded it; nothing new made. */
export function storedMessage(
  item: InboxItem,
  extra: { file?: string; duplicate?: boolean; storedEarlier?: boolean; reason?: string } = {},
): ProcessedMessage {
  const done = item.outcome === 'imported' || item.outcome === 'commented';
  return {
    ...(extra.file !== undefined ? { file: extra.file } : {}),
    itemId: item.id,
    messageId: item.messageId,
    subject: item.subject,
    outcome: item.outcome ?? 'pending',
    rule: item.ruleLine,
    actions: done ? item.actions : [],
    created: [],
    createdDetail: { messages: [], items: [], requests: [], comments: [], requesters: [], attachments: [], mails: [] },
    reason: extra.reason ?? item.reason,
    duplicate: extra.duplicate ?? false,
    ...(extra.storedEarlier ? { storedEarlier: true } : {}),
  };
}

/** A stored message in a list. */
export interface InboxItemSummary {
  id: number;
  profileId: number;
  messageId: string | null;
  subject: string | null;
  from: string | null;
  outcome: Outcome | null;
  state: InboxState;
  rule: number | null;
  /** The version of the profile's rules that decided it (rules history); null before history began. */
  rulesVersion: number | null;
  actions: string[];
  created: Record<string, number[]>;
  reason: string | null;
  attempts: number;
  lastError: string | null;
  receivedAt: string;
  processedAt: string | null;
}

/** What the trace column holds: the decision's trace, or why the message could not be decided. */
export type StoredTrace = Trace | { error: string };

/** One stored message with everything behind its outcome. */
export interface InboxItemDetail extends InboxItemSummary {
  originKey: string;
  rawRef: string;
  rawSize: number;
  trace: StoredTrace | null;
}

export function inboxItemSummary(item: InboxItem): InboxItemSummary {
  return {
    id: item.id,
    profileId: item.profileId,
    messageId: item.messageId,
    subject: item.subject,
    from: item.fromAddress,
    outcome: item.outcome,
    state: item.state,
    rule: item.ruleLine,
    rulesVersion: item.rulesVersion,
    actions: item.actions,
    created: item.created,
    reason: item.reason,
    attempts: item.attempts,
    lastError: item.lastError,
    receivedAt: item.receivedAt,
    processedAt: item.processedAt,
  };
}

export function inboxItemDetail(item: InboxItem): InboxItemDetail {
  return {
    ...inboxItemSummary(item),
    originKey: item.originKey,
    rawRef: item.rawRef,
    rawSize: item.rawSize,
    trace: item.trace as StoredTrace | null,
  };
}
