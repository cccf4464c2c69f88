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

/** A running serve or worker process and its last heartbeat. */
export interface ServiceTable {
  id: string;
  kind: string;
  host: string;
  pid: number;
  started_at: string;
  beat_at: string;
}

/** Every table: mailbind's own, and the builtin tracker's (read and written only by tracker/builtin/). */
export interface Database extends BuiltinTrackerTables {
  profiles: ProfileTable;
  inbox_items: InboxItemTable;
  source_known: SourceKnownTable;
  profile_status: ProfileStatusTable;
  services: ServiceTable;
}
