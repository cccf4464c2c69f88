// Table shapes shared by SQLite and PostgreSQL. Both dialects store the same values: timestamps as
// ISO-8601 text, booleans as 0/1 integers, JSON as text, so rows look alike whichever database runs.
import type { Generated } from 'kysely';

export interface ProfileTable {
  id: Generated<number>;
  name: string;
  rules: string;
  /** JSON of the source settings (protocol, host, …); the password inside is encrypted. */
  source: string;
  created_at: string;
  updated_at: string;
}

export type InboxState = 'pending' | 'processing' | 'done' | 'failed';
export type Outcome = 'imported' | 'commented' | 'skipped' | 'ignored' | 'failed';

export interface InboxItemTable {
  id: Generated<number>;
  profile_id: number;
  /** What makes intake idempotent: POP3 UIDL, IMAP folder/UIDVALIDITY/UID, or Message-ID + SHA-256. */
  origin_key: string;
  raw_ref: string;
  raw_size: number;
  message_id: string | null;
  subject: string | null;
  from_address: string | null;
  state: InboxState;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  outcome: Outcome | null;
  reason: string | null;
  rule_line: number | null;
  /** JSON string[]: the actions as words ('attach to project 2'). */
  actions: string | null;
  /** JSON of created ids ({requests:[…], messages:[…], …}). */
  created: string | null;
  /** JSON of the processing trace (see engine/trace.ts). */
  trace: string | null;
  last_error: string | null;
  received_at: string;
  processed_at: string | null;
  ack_state: 'pending' | 'done' | null;
  ack_action: string | null;
}

export interface SourceKnownTable {
  profile_id: number;
  origin_key: string;
  why: string;
}

export interface ProfileStatusTable {
  profile_id: number;
  baseline_at: string | null;
  last_poll_at: string | null;
  last_success_at: string | null;
  last_error_at: string | null;
  last_error: string | null;
  next_poll_at: string | null;
  consecutive_failures: number;
  cursor: string | null;
  lease_owner: string | null;
  lease_until: string | null;
}

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
  created_at: string;
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

/** A running serve or worker process and its last heartbeat. */
export interface ServiceTable {
  id: string;
  kind: string;
  host: string;
  pid: number;
  started_at: string;
  beat_at: string;
}

export interface Database {
  profiles: ProfileTable;
  inbox_items: InboxItemTable;
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
  comments: CommentTable;
  attachments: AttachmentTable;
  source_known: SourceKnownTable;
  profile_status: ProfileStatusTable;
  services: ServiceTable;
}
