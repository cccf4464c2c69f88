// Between a profile's stored source settings and the settings a source runs with. The password is
// encrypted on the way in and decrypted only when a connection is made; it is never printed.
import type { Profile } from '../store/profiles.js';
import type { SecretBox } from '../store/secrets.js';
import {
  POLLED_PROTOCOLS,
  SettingsError,
  resolveSettings,
  validateSettings,
  type ResolvedSettings,
  type SourceSettings,
  type SourceSettingsInput,
} from './settings.js';

/** Validate settings given with a plain password; return what to store (password encrypted). */
export function settingsToStore(input: SourceSettingsInput, secrets: SecretBox): SourceSettings {
  const valid = validateSettings(input);
  return { ...valid, ...(valid.password !== undefined ? { password: secrets.encrypt(valid.password) } : {}) };
}

/** The settings that say where the password goes: changing one of them needs the password again. */
const PASSWORD_DESTINATION = ['protocol', 'host', 'port', 'tls', 'allowInvalidCertificate', 'login'] as const;

/**
 * Merge changes into stored settings; a missing password keeps the stored one, unless the change
 * sends it somewhere else (another server, port, TLS mode or login): then it must be given again, or
 * anyone allowed to edit a profile could point it at their own server and read the stored password.
 */
export function mergeStoredSettings(
  stored: SourceSettings | null,
  changes: Partial<SourceSettingsInput>,
  secrets: SecretBox,
): SourceSettings {
  const current: Partial<SourceSettingsInput> = stored ?? {};
  if (stored?.password && changes.password === undefined) {
    const moved = PASSWORD_DESTINATION.filter((key) => changes[key] !== undefined && changes[key] !== current[key]);
    if (moved.length) {
      const message = `Password should be given again: the ${moved.join(', ')} changed, and the stored password is only ever sent where it was set for`;
      throw new SettingsError(message, 'password');
    }
  }
  const plainPassword = changes.password ?? (stored?.password ? secrets.decrypt(stored.password) : undefined);
  const merged = { ...current, ...changes, ...(plainPassword !== undefined ? { password: plainPassword } : {}) };
  return settingsToStore(merged as SourceSettingsInput, secrets);
}

/** True for a profile whose mailbox mailbind polls (POP3, IMAP); pipe profiles are pushed to. */
export function isPolled(profile: Profile): boolean {
  return profile.source !== null && (POLLED_PROTOCOLS as readonly string[]).includes(profile.source.protocol);
}

/** The settings a source runs with, or null for a profile without a mailbox (import only). */
export function runtimeSettings(profile: Profile, secrets: SecretBox): ResolvedSettings | null {
  if (!profile.source) return null;
  const stored = validateSettings(profile.source);
  const password = stored.password ? secrets.decrypt(stored.password) : '';
  return resolveSettings(stored, password);
}

/** The mailbox a profile reads, for telling whether an update points it somewhere else. */
export function mailboxIdentity(source: SourceSettings | null): string {
  if (!source) return '';
  return JSON.stringify([source.protocol, (source.host ?? '').toLowerCase(), source.port, (source.login ?? '').toLowerCase(), source.folder]);
}
