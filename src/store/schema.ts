// Table shapes shared by SQLite and PostgreSQL. Both dialects store the same values: timestamps as
// ISO-8601 text, booleans as 0/1 integers, JSON as text, so rows look alike whichever database runs.
import type { Generated } from 'kysely';
import type { BuiltinTrackerTables } from './builtin-tracker-schema.js';

export interface ProfileTable {
  id: Generated<number>;
  name: string;
  rules: string;
  /** JSON of the source settings (protocol, host, …); the password inside is encrypted. */
  source: string;
  created_at: string;
  updated_at: string;
  /** SHA-256 of the push-intake token; null when push intake is off. */
  intake_token_hash: string | null;
  /** JSON of the threading settings (store/threading-settings.ts); '{}' is every default. Added by 012. */
  threading: Generated<string>;
  /** JSON of the SMTP settings (store/smtp-settings.ts), password sealed; '{}' sends nothing. Added by 013. */
  smtp: Generated<string>;
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
  /** The holder of a processing claim: a service id or a command's own id. */
  claimed_by: string | null;
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
  /** The version of the profile's rules that decided the item (rules_versions.version). */
  rules_version: number | null;
  /** Times it was taken over from a holder that stopped while holding it (023; store/inbox.ts, claimDueItems). */
  takeovers: Generated<number>;
}

/** A raw message small enough to be kept in the database (store/raw-messages.ts). Added by 019. */
export interface RawMessageTable {
  /** SHA-256 of the bytes, as a blob file's name. */
  ref: string;
  bytes: Buffer;
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
  /** When the current streak of failed polls began; null while polls succeed. */
  failing_since: string | null;
  /** JSON: the messages the latest successful poll could not download (sources/status.ts DownloadFailures); null: none. */
  download_failures: string | null;
  cursor: string | null;
  lease_owner: string | null;
  lease_until: string | null;
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

export type Role = 'admin' | 'viewer';

export interface AccountTable {
  id: Generated<number>;
  name: string;
  role: Role;
  /** scrypt$N$r$p$salt$hash (base64). */
  password_hash: string;
  created_at: string;
  updated_at: string;
}

export interface SessionTable {
  /** SHA-256 (hex) of the cookie value. */
  id_hash: string;
  account_id: number;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  /** The absolute expiry; the idle expiry is last_seen_at + the idle limit. */
  expires_at: string;
}

export interface ApiTokenTable {
  id: Generated<number>;
  name: string;
  role: Role;
  token_hash: string;
  prefix: string;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  /** Who: 'alice' (an account), 'token:ci' (an API token), 'cli' (a local command). */
  actor: string;
  /** What, as noun.verb: 'profile.update', 'rules.save', 'token.revoke'. */
  action: string;
  /** Which: 'profile support', 'account bob'. */
  target: string;
  /** JSON of what changed (never a secret). */
  details: string | null;
}

export interface RulesVersionTable {
  id: Generated<number>;
  profile_id: number;
  version: number;
  rules: string;
  author: string;
  comment: string | null;
  created_at: string;
}

export interface ReplyTemplateTable {
  id: Generated<number>;
  profile_id: number;
  name: string;
  subject: string;
  body_text: string;
  body_html: string | null;
  created_at: string;
  updated_at: string;
}

/** 'bounced': sent, and a delivery report for it came back (engine/bounce-note.ts). */
export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped' | 'bounced';
export type OutboxKind = 'acknowledgement' | 'reply';

/** Mail to send, written in the transaction that records the outcome asking for it (engine/outbox/). */
export interface OutboxTable {
  id: Generated<number>;
  profile_id: number;
  inbox_item_id: number | null;
  item_id: number | null;
  kind: OutboxKind;
  template: string;
  recipient: string;
  recipient_name: string;
  subject: string;
  body_text: string;
  body_html: string | null;
  message_id: string;
  in_reply_to: string | null;
  /** JSON string[]. */
  references: string;
  reply_to: string | null;
  state: OutboxState;
  reason: string | null;
  attempts: Generated<number>;
  next_attempt_at: string;
  lease_until: string | null;
  claimed_by: string | null;
  last_error: string | null;
  smtp_response: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface OutboxAttemptTable {
  id: Generated<number>;
  outbox_id: number;
  at: string;
  /** 1 sent, 0 failed. */
  ok: number;
  code: number | null;
  response: string;
}

export interface InstallationSecretTable {
  name: string;
  /** SecretBox-sealed. */
  sealed: string;
  created_at: string;
}

/** Every table: mailbind's own, and the builtin tracker's (read and written only by tracker/builtin/). */
export interface Database extends BuiltinTrackerTables {
  profiles: ProfileTable;
  inbox_items: InboxItemTable;
  raw_messages: RawMessageTable;
  source_known: SourceKnownTable;
  profile_status: ProfileStatusTable;
  services: ServiceTable;
  accounts: AccountTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  audit_log: AuditLogTable;
  rules_versions: RulesVersionTable;
  reply_templates: ReplyTemplateTable;
  outbox: OutboxTable;
  outbox_attempts: OutboxAttemptTable;
  installation_secrets: InstallationSecretTable;
  oauth_tokens: OAuthTokenTable;
  oauth_sign_ins: OAuthSignInTable;
}

/** A profile's OAuth2 tokens, sealed (store/oauth-tokens.ts). Added by 016; last_error_code and destination_hash by 017. */
export interface OAuthTokenTable {
  profile_id: number;
  account: string;
  subject: string | null;
  access_token: string;
  access_expires_at: string;
  refresh_token: string | null;
  scope: string | null;
  signed_in_at: string;
  refreshed_at: string | null;
  state: 'ok' | 'failing' | 'stopped';
  last_error: string | null;
  last_error_code: string | null;
  failing_since: string | null;
  refresh_failures: Generated<number>;
  lease_owner: string | null;
  lease_until: string | null;
  version: Generated<number>;
  destination_hash: string | null;
}

/** An OAuth2 sign-in waiting for its callback (store/oauth-sign-ins.ts). Added by 016. */
export interface OAuthSignInTable {
  state_hash: string;
  profile_id: number;
  code_verifier: string;
  nonce: string;
  redirect_uri: string;
  via: 'web' | 'cli';
  session_hash: string | null;
  started_by: string;
  created_at: string;
  expires_at: string;
  completed_at: string | null;
  account: string | null;
  error: string | null;
}
