// Between a profile's stored source settings and the settings a source runs with. The password is
// encrypted on the way in and decrypted only when a connection is made; it is never printed.
import type { Profile } from '../store/profiles.js';
import type { SecretBox } from '../store/secrets.js';
import {
  defaultPort,
  POLLED_PROTOCOLS,
  SettingsError,
  resolveSettings,
  validateSettings,
  type ResolvedSettings,
  type SourceSettings,
  type SourceSettingsInput,
} from './settings.js';

/**
 * Settings as a change names them: `null` clears a setting, so that it falls back to its default
 * (a form whose field was emptied must be able to say so; leaving the key out keeps the old value).
 */
export type SourceChanges = { [K in keyof SourceSettingsInput]?: SourceSettingsInput[K] | null };

/** The settings without the cleared (null) ones. */
export function withoutCleared(changes: SourceChanges): Partial<SourceSettingsInput> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== null)) as Partial<SourceSettingsInput>;
}

/** Validate settings given with a plain password; return what to store (password encrypted). */
export function settingsToStore(input: SourceChanges, secrets: SecretBox): SourceSettings {
  const valid = validateSettings(withoutCleared(input));
  return { ...valid, ...(valid.password !== undefined ? { password: secrets.encrypt(valid.password) } : {}) };
}

/** The settings that say where the password goes: changing one of them needs the password again. */
const PASSWORD_DESTINATION = ['protocol', 'host', 'port', 'tls', 'allowInvalidCertificate', 'login'] as const;

/** Where the password goes, by one setting, with defaults filled in: clearing the port to its default moves nothing. */
function destination(s: SourceChanges, key: (typeof PASSWORD_DESTINATION)[number]): unknown {
  const tls = s.tls ?? 'tls';
  if (key === 'port') return s.port ?? (s.protocol ? defaultPort(s.protocol, tls) : null);
  if (key === 'tls') return tls;
  if (key === 'allowInvalidCertificate') return s.allowInvalidCertificate ?? false;
  return s[key] ?? null;
}

/**
 * Merge changes into stored settings; a missing password keeps the stored one, unless the change
 * sends it somewhere else (another server, port, TLS mode or login): then it must be given again, or
 * anyone allowed to edit a profile could point it at their own server and read the stored password.
 */
export function mergeStoredSettings(
  stored: SourceSettings | null,
  changes: SourceChanges,
  secrets: SecretBox,
): SourceSettings {
  const current: Partial<SourceSettingsInput> = stored ?? {};
  if (stored?.password && (changes.password === undefined || changes.password === null)) {
    const next: SourceChanges = { ...current, ...changes };
    const moved = PASSWORD_DESTINATION.filter((key) => changes[key] !== undefined && destination(next, key) !== destination(current, key));
    if (moved.length) {
      const message = `Password should be given again: the ${moved.join(', ')} changed, and the stored password is only ever sent where it was set for`;
      throw new SettingsError(message, 'password');
    }
  }
  const plainPassword = changes.password ?? (stored?.password ? secrets.decrypt(stored.password) : undefined);
  // A cleared (null) setting overrides the stored value here and is dropped by settingsToStore.
  const merged: SourceChanges = { ...current, ...changes, ...(plainPassword !== undefined ? { password: plainPassword } : {}) };
  return settingsToStore(merged, secrets);
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
