// The API's shapes of the message log, its bodies and the tracker, as the message and tracker pages use them.
import type { ClassificationKind } from '../../../src/mail/classification-kinds.js';

export type Outcome = 'imported' | 'commented' | 'skipped' | 'ignored' | 'failed';

export interface MessageSummary {
  id: number;
  profileId: number;
  messageId: string | null;
  subject: string | null;
  from: string | null;
  outcome: Outcome | null;
  state: 'pending' | 'processing' | 'done' | 'failed';
  rule: number | null;
  rulesVersion: number | null;
  actions: string[];
  created: Record<string, number[]>;
  reason: string | null;
  attempts: number;
  lastError: string | null;
  receivedAt: string;
  processedAt: string | null;
}

export interface RuleTrace {
  line: number;
  source: string;
  matched: boolean;
  reason: string;
  conditions: Array<{ condition: string; matched: boolean; reason: string }>;
}

export interface Trace {
  classification: { kind: ClassificationKind; reason: string };
  sender: { summary: string };
  /** The item a reply was bound to, and by what; null for new mail. Absent in traces from before issue 12. */
  binding?: { layer: string; evidence: string; itemId: number } | null;
  /** Why candidate items did not take the message (no such item, deleted, not a participant, closed). */
  bindingRefused?: string[];
  replyAccess?: string;
  /** Traces from before issue 12 (Ticket#N only). */
  reference?: { ticket: number; exists: boolean } | null;
  reply?: { how: string; fullTextKept: boolean };
  rules: RuleTrace[];
  /** Rules tried that did not match, past the first 100 listed. */
  rulesNotListed?: number;
  warnings: string[];
  rulesVersion?: number | null;
}

export interface MessageDetail extends MessageSummary {
  originKey: string;
  rawSize: number;
  trace: Trace | { error: string } | null;
}

export interface MessageBody {
  subject: string;
  from: string | null;
  to: string[];
  cc: string[];
  date: string;
  text: string;
  hasHtml: boolean;
  remoteImages: number;
  attachments: Array<{ id: number | null; fileName: string; contentType: string; size: number; inline: boolean }>;
}

export interface Project { id: number; name: string; code: string | null; companyId: number | null; deleted: boolean }
export interface Company { id: number; name: string; domains: string[] }
export interface Requester { id: number; email: string; name: string; companyId: number | null }
export interface TrackerMessage {
  id: number; subject: string; fromAddress: string | null; fromName: string | null; inboxItemId: number | null; sentAt: string;
  requesterId: number | null; projectIds: number[]; bodyText?: string | null;
}
export interface Item {
  id: number; kind: string; projectId: number; name: string; description: string | null; state: string; isPrivate: boolean;
  teamId: number | null; requesterIds: number[]; messageIds: number[]; createdAt: string;
  priority: string | null; severity: string | null; assigneeId: number | null; assignee: string | null;
  tags: string[]; fields: Record<string, string>;
  /** People Cc'd onto the thread who may reply besides the requesters. */
  participants: string[];
  /** The closed item this one was made from a reply to; null otherwise. */
  followsUp: number | null;
  /** The items made from replies to this one once it was closed, oldest first. */
  followedUpBy: number[];
}

/** The states of an item (the API's ITEM_STATES). */
export const ITEM_STATES = ['new', 'open', 'in-progress', 'done', 'closed'];
/** `kind` 'note': mailbind's own words about the item (a bounce of our mail), not a person's reply. */
export interface Comment { id: number; itemId: number; body: string; quotedText: string | null; kind?: 'comment' | 'note'; messageId: number | null; requesterId: number | null; createdAt: string }
export interface Attachment { id: number; fileName: string; contentType: string; size: number; messageId: number | null; itemId: number | null; commentId: number | null }

/** The item listings of the tracker and the word for one of each. */
export const ITEM_LISTS = { requests: 'request', stories: 'story', bugs: 'bug', tasks: 'task' } as const;
export type ItemList = keyof typeof ITEM_LISTS;

export function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
