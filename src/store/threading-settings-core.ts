// The threading settings without their schema: the choices, the defaults and the reader of the stored
// JSON. Free of imports, so that every profile read (`deliver` included) and the command line's --help
// do not load the schema library; the schema (threading-settings.ts) checks what is written.

/** What a reply to a closed item does: a comment as usual, a comment that reopens it, or new mail linked to it. */
export const CLOSED_REPLIES = ['comment', 'reopen', 'new-item'] as const;
export type ClosedReplies = (typeof CLOSED_REPLIES)[number];

export interface ThreadingSettings {
  /** `[#N]` / `[CODE-N]` in the subject binds a reply (off: subjects are typed by people, tokens get copied). */
  subjectTokens: boolean;
  /** Anyone of a requester's company may add to the item, not only its requesters and participants. */
  companyMayReply: boolean;
  closedReplies: ClosedReplies;
  /** Send the requester an acknowledgement (the profile's `acknowledgement` template) for each item made from new mail. */
  acknowledge: boolean;
}

export const DEFAULT_THREADING: ThreadingSettings = Object.freeze({
  subjectTokens: false,
  companyMayReply: false,
  closedReplies: 'comment',
  acknowledge: false,
});

/** Whether a stored value is a valid value of that setting (its type, or one of its choices). */
const VALID: { [K in keyof ThreadingSettings]: (v: unknown) => boolean } = {
  subjectTokens: (v) => typeof v === 'boolean',
  companyMayReply: (v) => typeof v === 'boolean',
  closedReplies: (v) => (CLOSED_REPLIES as readonly unknown[]).includes(v),
  acknowledge: (v) => typeof v === 'boolean',
};

/** The stored JSON read back; a setting that no longer reads falls back to its default, never fails a message. */
export function readThreadingSettings(json: string | null | undefined): ThreadingSettings {
  let raw: unknown = {};
  try {
    raw = JSON.parse(json ?? '{}');
  } catch {
    // Written only through the schema; a hand-edited row must not stop processing.
  }
  const stored = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const settings: Record<string, unknown> = { ...DEFAULT_THREADING };
  for (const key of Object.keys(VALID) as Array<keyof ThreadingSettings>) {
    if (VALID[key](stored[key])) settings[key] = stored[key];
  }
  return settings as unknown as ThreadingSettings;
}
