// What a mailbox source is to the rest of mailbind. A source only writes the inbox (DESIGN §1): it
// lists what is new, stores each message through intakeMessage(), and, once outcomes are recorded,
// applies the profile's after-processing action on the server. Processing itself is injected by the
// caller (afterIntake), because sources never import the engine.
import type { Logger } from 'pino';
import type { Store } from '../store/database.js';
import type { Profile } from '../store/profiles.js';
import type { ResolvedSettings } from './settings.js';

export interface PollContext {
  store: Store;
  profile: Profile;
  settings: ResolvedSettings;
  logger?: Logger;
  signal?: AbortSignal;
  /**
   * Processes what is stored: while a poll downloads, beside it, whenever a batch has been committed since
   * the last call began (so a poll that dies half way still turns its share into work), once more when
   * the intake ends or fails, and before acknowledgements. It may run several times in one poll, never
   * two at once.
   */
  afterIntake?: () => Promise<void>;
}

export interface PollReport {
  /** Messages on the server. */
  listed: number;
  /** Newly stored in the inbox. */
  stored: number;
  /** Left alone: there before the profile (first run), older than its since-date, or known. */
  skipped: number;
  /** Downloads that failed; retried on the next poll. */
  failed: Array<{ key: string; error: string }>;
  /** After-processing actions applied (seen, moved, deleted) or settled (leave). */
  acknowledged: number;
}

/**
 * For a poll that is failing: process what it stored so far (afterIntake), unless the poll was aborted
 * (shutting down). A processing error is only logged; the poll's own error is what the caller reports.
 */
export async function processBeforeFailing(ctx: PollContext): Promise<void> {
  if (ctx.signal?.aborted) return;
  await ctx.afterIntake?.().catch((err: Error) => ctx.logger?.warn({ err: err.message }, 'processing after a failed poll failed'));
}

export function emptyReport(): PollReport {
  return { listed: 0, stored: 0, skipped: 0, failed: [], acknowledged: 0 };
}

export interface MailSource {
  poll(context: PollContext): Promise<PollReport>;
}
