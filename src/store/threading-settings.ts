// A profile's threading settings: how replies find their item, who may add to it, and how much mail one
// sender may send before it is held, and whether new items are acknowledged by mail (issue 12;
// docs/conversations.md). The store reads them back with
// plain checks: `deliver` loads this module and must not load zod (the CLI startup test holds it to
// that). The one schema for the API, the CLI and config as code, with the same names, defaults and
// messages, is in app/threading-schema.ts, type-checked against this shape.

/** What a reply to a closed item does: a comment as usual, a comment that reopens it, or new mail linked to it. */
export const CLOSED_REPLIES = ['comment', 'reopen', 'new-item'] as const;
export type ClosedReplies = (typeof CLOSED_REPLIES)[number];

/** Issue 12: 20 per hour per profile. A person rarely writes 20 mails an hour to support; a loop does in minutes. */
export const DEFAULT_RATE_LIMIT_PER_SENDER_HOUR = 20;
export const MAX_RATE_LIMIT_PER_SENDER_HOUR = 1_000_000;

export interface ThreadingSettings {
  /** `[#N]` / `[CODE-N]` in the subject binds a reply (off: subjects are typed by people, tokens get copied). */
  subjectTokens: boolean;
  /** Anyone of a requester's company may add to the item, not only its requesters and participants. */
  companyMayReply: boolean;
  closedReplies: ClosedReplies;
  /**
   * Loop defence: messages from one sender address that may reach the rules (or become comments) in an
   * hour; the next are ignored as rate limited. 0 turns the limit off.
   */
  rateLimitPerSenderHour: number;
  /** Send the requester an acknowledgement (the profile's `acknowledgement` template) for each item made from new mail. */
  acknowledge: boolean;
}

export const DEFAULT_THREADING: ThreadingSettings = Object.freeze({
  subjectTokens: false,
  companyMayReply: false,
  closedReplies: 'comment',
  rateLimitPerSenderHour: DEFAULT_RATE_LIMIT_PER_SENDER_HOUR,
  acknowledge: false,
});

/** The stored JSON read back; a setting that no longer reads falls back to its default, never fails a message. */
export function readThreadingSettings(json: string | null | undefined): ThreadingSettings {
  let raw: unknown = {};
  try {
    raw = JSON.parse(json ?? '{}');
  } catch {
    // Written only through the schema; a hand-edited row must not stop processing.
  }
  const stored = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const closed = stored['closedReplies'];
  const limit = stored['rateLimitPerSenderHour'];
  return {
    subjectTokens: typeof stored['subjectTokens'] === 'boolean' ? stored['subjectTokens'] : DEFAULT_THREADING.subjectTokens,
    companyMayReply: typeof stored['companyMayReply'] === 'boolean' ? stored['companyMayReply'] : DEFAULT_THREADING.companyMayReply,
    closedReplies: CLOSED_REPLIES.includes(closed as ClosedReplies) ? (closed as ClosedReplies) : DEFAULT_THREADING.closedReplies,
    rateLimitPerSenderHour:
      Number.isInteger(limit) && (limit as number) >= 0 && (limit as number) <= MAX_RATE_LIMIT_PER_SENDER_HOUR ? (limit as number) : DEFAULT_THREADING.rateLimitPerSenderHour,
    acknowledge: typeof stored['acknowledge'] === 'boolean' ? stored['acknowledge'] : DEFAULT_THREADING.acknowledge,
  };
}
