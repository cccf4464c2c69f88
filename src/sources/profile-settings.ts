// Between a profile's stored source JSON and the settings a source runs with. The password is
// encrypted on the way in and decrypted only when a connection is made; it is never printed.
import type { Profile } from '../store/profiles.js';
import { SecretBox } from '../store/secrets.js';
import { resolveSettings, validateSettings, type ResolvedSettings, type SourceSettings, type SourceSettingsInput } from './settings.js';

/** Validate settings given with a plain password; return what to store (password encrypted). */
export function settingsToStore(input: SourceSettingsInput, secrets: SecretBox): Record<string, unknown> {
  const valid = validateSettings(input);
  return { ...valid, ...(valid.password !== undefined ? { password: secrets.encrypt(valid.password) } : {}) };
}

/** Merge changes into stored settings; a missing password keeps the stored one. */
export function mergeStoredSettings(
  stored: Record<string, unknown>,
  changes: Partial<SourceSettingsInput>,
  secrets: SecretBox,
): Record<string, unknown> {
  const current = hasMailbox(stored) ? (stored as Record<string, unknown>) : {};
  const plainPassword = changes.password ?? (typeof current.password === 'string' ? secrets.decrypt(current.password) : undefined);
  const merged = { ...current, ...changes, ...(plainPassword !== undefined ? { password: plainPassword } : {}) };
  return settingsToStore(merged as SourceSettingsInput, secrets);
}

export function hasMailbox(source: Record<string, unknown>): boolean {
  return source.protocol === 'pop3' || source.protocol === 'imap' || source.protocol === 'pipe';
}

/** The settings a source runs with, or null for a profile without a mailbox (import only). */
export function runtimeSettings(profile: Profile, secrets: SecretBox): ResolvedSettings | null {
  if (!hasMailbox(profile.source)) return null;
  const stored = validateSettings(profile.source) as SourceSettings;
  const password = stored.password ? secrets.decrypt(stored.password) : '';
  return resolveSettings(stored, password);
}

/** Settings as they may be shown: no password, only whether one is set. */
export function publicSettings(source: Record<string, unknown>): Record<string, unknown> {
  const { password, ...rest } = source;
  return hasMailbox(source) ? { ...rest, hasPassword: typeof password === 'string' && password.length > 0 } : rest;
}
