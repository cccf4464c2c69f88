// The builtin tracker's own tables: companies, projects, teams, people, messages, items, comments and
// attachments. They live in mailbind's database so that a plan and its outcome commit together, but
// only the builtin adapter (tracker/builtin/) reads and writes them; an external tracker (TargetProcess)
// leaves them empty. Created by migrations/001-builtin-tracker.ts; 007, 010, 011 and 012 add to them.
import type { ColumnType, Generated } from 'kysely';

/** A comment from a reply, or a note: mailbind's own words about the item (015). */
export type CommentKind = 'comment' | 'note';

export interface CompanyTable {
  id: Generated<number>;
  name: string;
}

export interface CompanyDomainTable {
  domain: string;
  company_id: number;
}

export interface ProjectTable {
  id: Generated<number>;
  name: string;
  company_id: number | null;
  deleted: number;
  /** The short code rules may name the project by (`ACME`): as typed, unique case-insensitively. Added by 010. */
  code: string | null;
}

export interface TeamTable {
  id: Generated<number>;
  name: string;
}

export interface UserTable {
  id: Generated<number>;
  /** Lowercased: addresses are compared case-insensitively. */
  email: string;
  name: string;
}

export interface RequesterTable {
  id: Generated<number>;
  email: string;
  name: string;
  company_id: number | null;
  created_at: string;
}

export interface TrackerMessageTable {
  id: Generated<number>;
  inbox_item_id: number | null;
  message_id: string;
  subject: string;
  from_address: string | null;
  from_name: string | null;
  requester_id: number | null;
  user_id: number | null;
  recipients: string;
  body_text: string;
  body_html: string | null;
  sent_at: string;
  created_at: string;
}

export interface MessageProjectTable {
  message_id: number;
  project_id: number;
}

export type ItemKind = 'request' | 'story' | 'bug' | 'task';

/** Requests, user stories, bugs and tasks share one id space, as TargetProcess generals do: Ticket#N names any of them. */
export interface ItemTable {
  id: Generated<number>;
  kind: ItemKind;
  project_id: number;
  name: string;
  description: string;
  is_private: number;
  team_id: number | null;
  source_message_id: number | null;
  created_at: string;
  /** One of ITEM_STATES (tracker/builtin/listable.ts); 'open' when created. Added by migration 007. */
  state: Generated<string>;
  // Added by migration 010: what rules set on a new item.
  priority: string | null;
  /** Bugs only. */
  severity: string | null;
  /** The staff user (users.id) the item is assigned to. */
  assignee_user_id: number | null;
}

/** An item's tags: each once per item, compared without case (the first spelling is kept). */
export interface ItemTagTable {
  item_id: number;
  tag: string;
}

/** An item's custom fields: one value per name. */
export interface ItemFieldTable {
  item_id: number;
  name: string;
  value: string;
}

export interface ItemRequesterTable {
  item_id: number;
  requester_id: number;
}

export interface ItemMessageTable {
  item_id: number;
  message_id: number;
}

export interface CommentTable {
  id: Generated<number>;
  item_id: number;
  message_id: number | null;
  requester_id: number | null;
  user_id: number | null;
  body: string;
  /** What reply stripping removed from the message to make `body` (011); null when nothing was. */
  quoted_text: string | null;
  /** 'comment' (from a reply) or 'note' (mailbind's own, e.g. a bounce of our mail); added by 015. */
  kind: ColumnType<CommentKind, CommentKind | undefined, CommentKind>;
  created_at: string;
}

/** People who may reply to an item besides its requesters: Cc'd (or To) on an allowed reply. Added by 012. */
export interface ItemParticipantTable {
  item_id: number;
  /** Lowercased. */
  email: string;
  added_at: string;
  /** How they joined: 'cc' or 'to'. */
  source: string;
}

/** `item_id` follows up `linked_item_id` (kind 'follows-up': a reply to a closed item made new). Added by 012. */
export interface ItemLinkTable {
  item_id: number;
  linked_item_id: number;
  kind: string;
}

export interface AttachmentTable {
  id: Generated<number>;
  blob_ref: string;
  file_name: string;
  content_type: string;
  size: number;
  content_id: string | null;
  inline: number;
  message_id: number | null;
  item_id: number | null;
  comment_id: number | null;
}

export interface BuiltinTrackerTables {
  companies: CompanyTable;
  company_domains: CompanyDomainTable;
  projects: ProjectTable;
  teams: TeamTable;
  users: UserTable;
  requesters: RequesterTable;
  messages: TrackerMessageTable;
  message_projects: MessageProjectTable;
  items: ItemTable;
  item_requesters: ItemRequesterTable;
  item_messages: ItemMessageTable;
  item_tags: ItemTagTable;
  item_fields: ItemFieldTable;
  comments: CommentTable;
  attachments: AttachmentTable;
  item_participants: ItemParticipantTable;
  item_links: ItemLinkTable;
}
