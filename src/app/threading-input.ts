// A change to a profile's threading settings, as every face sends it: only the settings named change,
// `null` sets one back to its default, and a wrong value is a user error naming the field.
import { DEFAULT_THREADING, type ThreadingSettings } from '../store/threading-settings.js';
import { threadingSettingsSchema } from './threading-schema.js';
import { userError } from './errors.js';

export { CLOSED_REPLIES, DEFAULT_THREADING, type ThreadingSettings } from '../store/threading-settings.js';

export type ThreadingChange = { [K in keyof ThreadingSettings]?: ThreadingSettings[K] | null };

export function mergeThreading(stored: ThreadingSettings, change: ThreadingChange): ThreadingSettings {
  const merged: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) continue;
    merged[key] = value === null ? (DEFAULT_THREADING as unknown as Record<string, unknown>)[key] ?? null : value;
  }
  const result = threadingSettingsSchema.safeParse(merged);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({ field: issue.path.length ? String(issue.path[0]) : 'threading', message: issueWords(issue) }));
  throw userError(`threading settings: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, { fields });
}

/** What a setting takes, in words, where zod's own would say less ("should be a number" for -3). */
const TAKES: Partial<Record<string, string>> = {
  rateLimitPerSenderHour: 'should be a whole number of messages from 0 (no limit) to 1000000',
};

function issueWords(issue: { code: string; message: string; path: PropertyKey[]; keys?: string[]; values?: unknown[]; expected?: string }): string {
  const takes = TAKES[String(issue.path[0])];
  if (takes && issue.code !== 'unrecognized_keys') return takes;
  if (issue.code === 'unrecognized_keys') return `no such setting (there are ${Object.keys(DEFAULT_THREADING).join(', ')})`;
  if (issue.code === 'invalid_value' && issue.values) return `choose one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_type') return issue.expected === 'boolean' ? 'should be true or false' : `should be a ${issue.expected}`;
  return issue.message;
}
