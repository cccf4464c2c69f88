// A profile's threading settings: how replies find their item and who may add to it (issue 12). One
// zod schema for the stored JSON, the API, the CLI and config as code, so every face has the same
// names, defaults and messages.
import { z } from 'zod';

/** What a reply to a closed item does: a comment as usual, a comment that reopens it, or new mail linked to it. */
export const CLOSED_REPLIES = ['comment', 'reopen', 'new-item'] as const;
export type ClosedReplies = (typeof CLOSED_REPLIES)[number];

export const threadingSettingsSchema = z
  .object({
    /** `[#N]` / `[CODE-N]` in the subject binds a reply (off: subjects are typed by people, tokens get copied). */
    subjectTokens: z.boolean().default(false),
    /** Anyone of a requester's company may add to the item, not only its requesters and participants. */
    companyMayReply: z.boolean().default(false),
    closedReplies: z.enum(CLOSED_REPLIES).default('comment'),
    /** Send the requester an acknowledgement (the profile's `acknowledgement` template) for each item made from new mail. */
    acknowledge: z.boolean().default(false),
  })
  .strict();

export type ThreadingSettings = z.output<typeof threadingSettingsSchema>;
export type ThreadingSettingsInput = z.input<typeof threadingSettingsSchema>;

export const DEFAULT_THREADING: ThreadingSettings = Object.freeze(threadingSettingsSchema.parse({}));

/** The stored JSON read back; a setting that no longer parses falls back to its default, never fails a message. */
export function readThreadingSettings(json: string | null | undefined): ThreadingSettings {
  let raw: unknown = {};
  try {
    raw = JSON.parse(json ?? '{}');
  } catch {
    // Written only through the schema; a hand-edited row must not stop processing.
  }
  const stored = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const settings = { ...DEFAULT_THREADING };
  for (const key of Object.keys(DEFAULT_THREADING) as Array<keyof ThreadingSettings>) {
    const one = threadingSettingsSchema.shape[key].safeParse(stored[key]);
    if (one.success) (settings as Record<string, unknown>)[key] = one.data;
  }
  return settings;
}
