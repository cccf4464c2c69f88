// The threading settings as the API, the CLI and config as code accept them: one zod schema, so every
// face has the same names, defaults and messages. The store reads stored rows without zod
// (store/threading-settings.ts); the type check below keeps the two in step.
import { z } from 'zod';
import { CLOSED_REPLIES, DEFAULT_RATE_LIMIT_PER_SENDER_HOUR, MAX_RATE_LIMIT_PER_SENDER_HOUR, type ThreadingSettings } from '../store/threading-settings.js';

export const threadingSettingsSchema = z
  .object({
    subjectTokens: z.boolean().default(false),
    companyMayReply: z.boolean().default(false),
    closedReplies: z.enum(CLOSED_REPLIES).default('comment'),
    rateLimitPerSenderHour: z.number().int().min(0).max(MAX_RATE_LIMIT_PER_SENDER_HOUR).default(DEFAULT_RATE_LIMIT_PER_SENDER_HOUR),
    acknowledge: z.boolean().default(false),
  })
  .strict();


type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>(): T | undefined => undefined;
agree<Same<z.output<typeof threadingSettingsSchema>, ThreadingSettings>>();
