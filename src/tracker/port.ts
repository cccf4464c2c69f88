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

/**
 * An item a reply may bind to, with what deciding whether it may needs: who may add to it and its state.
 * Loaded for the items a message names (Ticket#N, subject tokens) and those its thread's Message-IDs lead to.
 */
export interface ItemView {
  id: number;
  kind: ItemKind;
  /** One of the tracker's states ('open', 'closed', …). */
  state: string;
  projectId: number;
  /** Gone for replies: deleted in the tracker (builtin: its project was deleted). */
  deleted: boolean;
  /** Lowercased emails of the item's requesters. */
  requesterEmails: string[];
  /** Lowercased emails of the people Cc'd onto its thread by someone allowed (not its requesters). */
  participantEmails: string[];
  /** The companies of its requesters (by their requester records). */
  requesterCompanyIds: number[];
  /** The items that follow this one up (made from replies to it once closed), oldest first; the snapshot holds them too. */
  followedUpBy: number[];
}

/**
 * How a stored Message-ID belongs to an item: it created the item, was attached to it, or made one of
 * its comments. 'sent' (a mail we sent about the item) comes with the outbox: the outgoing-mail
 * adapter answers it for the Message-IDs it minted, and the References binder reads it unchanged.
 */
export interface MessageThread {
  itemId: number;
  via: 'created' | 'attached' | 'comment' | 'sent';
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
  /** An item the request named or a thread Message-ID led to; undefined for any other (or none such). */
  item(id: number): ItemView | undefined;
  teamExists(id: number): boolean;
  /**
   * The item a message we already hold (by its Message-ID) belongs to, for reply threading: the
   * oldest one when it belongs to several.
   */
  itemOfMessage(messageId: string): MessageThread | undefined;
  /**
   * Whether the item already holds a message with this Message-ID (it created the item, made a comment
   * on it or is attached to it): the same mail come again, by another profile's mailbox. Answers for the
   * request's own Message-ID and its thread's.
   */
  itemHoldsMessage(itemId: number, messageId: string): boolean;
}

/** What one message names: its people, the items it refers to, and the Message-IDs of its thread. */
export interface SnapshotRequest {
  emails: string[];
  /** Items named by number (Ticket#N, subject tokens); those the Message-IDs lead to are loaded too. */
  itemIds: number[];
  messageIds: string[];
  /** The message's own Message-ID, for itemHoldsMessage. */
  messageId?: string;
}

export interface NewRequester {
  email: string;
  name: string;
  companyId: number | null;
  /**
   * The requester the snapshot found under this address, read in the transaction this writer writes in.
   * A tracker may take it as it is where nothing else can have changed it since (the builtin tracker in
   * a SQLite transaction, which holds the write lock); elsewhere the address decides.
   */
  knownId?: number | null;
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
  /** 'note': mailbind's own words about the item (a bounce of our mail), not a person's. Default 'comment'. */
  kind?: CommentKind;
}

export type CommentKind = 'comment' | 'note';

/** Write operations; each returns the new id. */
export interface TrackerWriter {
  ensureRequester(requester: NewRequester): Promise<{ id: number; created: boolean }>;
  createMessage(message: NewTrackerMessage): Promise<number>;
  attachMessageToProject(messageId: number, projectId: number): Promise<void>;
  createItem(item: NewItem): Promise<number>;
  linkRequesters(itemId: number, requesterIds: number[]): Promise<void>;
  linkMessage(itemId: number, messageId: number): Promise<void>;
  addComment(comment: NewComment): Promise<number>;
  /**
   * A note by mailbind itself (a bounce of our mail): nobody's comment. The same note on the same item is
   * written once, so a bounce processed again (retried) adds nothing. Null when it was there already.
   */
  addNote(itemId: number, text: string): Promise<number | null>;
  addAttachments(owner: AttachmentOwner, attachments: NewAttachment[]): Promise<number[]>;
  /** People who may reply to the item from now on; those already there are left as they are. */
  addParticipants(itemId: number, participants: NewParticipant[]): Promise<void>;
  /**
   * A reply reopens a closed item: only if it is still closed (an admin's change made meanwhile stands),
   * recorded in the item's audit history. True when it was reopened.
   */
  reopenItem(itemId: number, by: ReopenedBy): Promise<boolean>;
  /** `itemId` follows up `followedItemId` (a reply to a closed item, made a new item). */
  linkFollowUp(itemId: number, followedItemId: number): Promise<void>;
}

/** The mail that reopened an item, as its audit entry names it. */
export interface ReopenedBy {
  /** The Message-ID of the reply. */
  messageId: string;
  /** Its From address; null when it had none. */
  from: string | null;
}

export interface NewParticipant {
  email: string;
  /** How they joined: 'cc' or 'to' of an allowed reply. */
  source: 'cc' | 'to';
}

/** `Transaction` is the database transaction that records a message's outcome (the store's). */
export interface Tracker<Transaction = unknown> {
  /**
   * What the tracker holds about one message. Read through `transaction` when given (the one its outcome
   * will commit in): messages processed in one transaction see the work of those before them, as they
   * would one by one. An adapter outside our database ignores it.
   */
  snapshot(request: SnapshotRequest, transaction?: Transaction): Promise<TrackerSnapshot>;
  /**
   * The writer for one message's work, which commits with `transaction` (the one recording the
   * outcome). An adapter outside our database ignores it and makes each step idempotent instead.
   */
  writer(transaction: Transaction): TrackerWriter;
}
