// The Tracker port: what processing needs from a project tracker. The engine is handed a Tracker and
// never builds one; the service is assembled in app/ (one line picks the adapter). The builtin adapter
// keeps its tables in our own database and so writes inside the inbox item's transaction; a
// TargetProcess REST adapter implements the same operations idempotently per step.

export interface ProjectView {
  id: number;
  name: string;
  live: boolean;
  companyId: number | null;
  /** The project's short code (`ACME`), unique case-insensitively; rules may name a project by it. */
  code: string | null;
}

export interface RequesterView {
  id: number;
  email: string;
  name: string;
  companyId: number | null;
}

export interface UserView {
  id: number;
  email: string;
  name: string;
}

export interface CompanyView {
  id: number;
  name: string;
}

/** A read-only, synchronous view for the pure decide step, loaded once per message. */
export interface TrackerSnapshot {
  project(id: number): ProjectView | undefined;
  requesterByEmail(email: string): RequesterView | undefined;
  userByEmail(email: string): UserView | undefined;
  companyByDomain(domain: string): CompanyView | undefined;
  /** A company by id: the companies of the requesters and domains looked up. */
  company(id: number): CompanyView | undefined;
  /** A project by its code, case-insensitively. */
  projectByCode(code: string): ProjectView | undefined;
  /** A staff user by email (every user: rules assign items to staff named in them). */
  staffByEmail(email: string): UserView | undefined;
  itemExists(id: number): boolean;
  teamExists(id: number): boolean;
  /** The item a message we already hold (by its Message-ID) is linked to, for reply threading. */
  itemOfMessage(messageId: string): number | undefined;
}

/** What one message names: its people, the items it refers to, and the Message-IDs of its thread. */
export interface SnapshotRequest {
  emails: string[];
  itemIds: number[];
  messageIds: string[];
}

export interface NewRequester {
  email: string;
  name: string;
  companyId: number | null;
}

export interface NewTrackerMessage {
  inboxItemId: number | null;
  messageId: string;
  subject: string;
  fromAddress: string | null;
  fromName: string | null;
  requesterId: number | null;
  userId: number | null;
  recipients: string;
  bodyText: string;
  bodyHtml: string | null;
  sentAt: string;
}

export type ItemKind = 'request' | 'story' | 'bug' | 'task';

export interface NewItem {
  kind: ItemKind;
  projectId: number;
  name: string;
  description: string;
  isPrivate: boolean;
  teamId: number | null;
  sourceMessageId: number | null;
  /** One of ITEM_STATES; null: the tracker's default ('open'). */
  state?: string | null;
  priority?: string | null;
  /** Bugs only. */
  severity?: string | null;
  assigneeUserId?: number | null;
  tags?: string[];
  /** Custom fields: name → value. */
  fields?: Record<string, string>;
}

export interface NewAttachment {
  blobRef: string;
  fileName: string;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
}

export type AttachmentOwner = { messageId: number } | { itemId: number } | { commentId: number };

export interface NewComment {
  itemId: number;
  messageId: number | null;
  requesterId: number | null;
  userId: number | null;
  /** Only what the reply says now. */
  body: string;
  /** What was stripped from the reply to make `body` (quote, forwarded mail, signature); null when nothing was. */
  quotedText: string | null;
}

/** Write operations; each returns the new id. */
export interface TrackerWriter {
  ensureRequester(requester: NewRequester): Promise<{ id: number; created: boolean }>;
  createMessage(message: NewTrackerMessage): Promise<number>;
  attachMessageToProject(messageId: number, projectId: number): Promise<void>;
  createItem(item: NewItem): Promise<number>;
  linkRequesters(itemId: number, requesterIds: number[]): Promise<void>;
  linkMessage(itemId: number, messageId: number): Promise<void>;
  addComment(comment: NewComment): Promise<number>;
  addAttachments(owner: AttachmentOwner, attachments: NewAttachment[]): Promise<number[]>;
}

/** `Transaction` is the database transaction that records a message's outcome (the store's). */
export interface Tracker<Transaction = unknown> {
  snapshot(request: SnapshotRequest): Promise<TrackerSnapshot>;
  /**
   * The writer for one message's work, which commits with `transaction` (the one recording the
   * outcome). An adapter outside our database ignores it and makes each step idempotent instead.
   */
  writer(transaction: Transaction): TrackerWriter;
}
