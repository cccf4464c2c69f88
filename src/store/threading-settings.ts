// A profile's threading settings: how replies find their item and who may add to it (issue 12), and
// whether new items are acknowledged by mail. One zod schema for what the API, the CLI and config as
// code write, so every face has the same names, defaults and messages; reading them back needs no
// schema (threading-settings-core.ts).
import { z } from 'zod';
import { CLOSED_REPLIES, DEFAULT_THREADING, type ThreadingSettings } from './threading-settings-core.js';

export * from './threading-settings-core.js';

export const threadingSettingsSchema = z
  .object({
    subjectTokens: z.boolean().default(DEFAULT_THREADING.subjectTokens),
    companyMayReply: z.boolean().default(DEFAULT_THREADING.companyMayReply),
    closedReplies: z.enum(CLOSED_REPLIES).default(DEFAULT_THREADING.closedReplies),
    acknowledge: z.boolean().default(DEFAULT_THREADING.acknowledge),
  })
  .strict();

export type ThreadingSettingsInput = z.input<typeof threadingSettingsSchema>;

// The schema and the interface must say the same settings.
const sameSettings: z.output<typeof threadingSettingsSchema> extends ThreadingSettings ? (ThreadingSettings extends z.output<typeof threadingSettingsSchema> ? true : never) : never = true;
void sameSettings;
