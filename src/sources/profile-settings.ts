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

/** Validate settings given with a plain password and client secret; return what to store (both encrypted). */
export function settingsToStore(input: SourceChanges, secrets: SecretBox): SourceSettings {
  const valid = validateSettings(withoutCleared(input));
  return {
    ...valid,
    ...(valid.password !== undefined ? { password: secrets.encrypt(valid.password) } : {}),
    ...(valid.oauthClientSecret !== undefined ? { oauthClientSecret: secrets.encrypt(valid.oauthClientSecret) } : {}),
  };
}

/** The settings that say where the OAuth2 client secret goes (the provider's token endpoint). */
const CLIENT_SECRET_DESTINATION = ['oauthProvider', 'oauthClientId', 'oauthIssuer', 'oauthTokenUrl'] as const;

/**
 * Where a profile's OAuth2 tokens are good: the app and provider that issued them, and the mailbox they
 * are sent to. When this changes, the stored tokens are dropped (signed out): an access token must
 * never reach another server than the one it was signed in for, nor a refresh token another provider.
 */
export function signInDestination(source: SourceSettings | null): string {
  if (!source || source.auth !== 'oauth2') return '';
  return JSON.stringify([
    source.protocol, (source.host ?? '').toLowerCase(), source.port ?? null, source.tls, source.allowInvalidCertificate,
    source.oauthProvider, source.oauthClientId, source.oauthIssuer ?? null, source.oauthAuthorizationUrl ?? null, source.oauthTokenUrl ?? null,
  ]);
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

/** Where a provider signs in and what it is asked for: they belong to the provider they were set for. */
const PROVIDER_SPECIFIC = ['oauthIssuer', 'oauthAuthorizationUrl', 'oauthTokenUrl', 'oauthScopes'] as const;

/**
 * The stored settings without the previous provider's issuer, endpoints and scopes when the change picks
 * another provider and does not name them: a Microsoft tenant's issuer or a custom provider's endpoints
 * must not keep a profile switched to Google signing in at the old place.
 */
function withoutOtherProvidersSettings(stored: Partial<SourceSettingsInput>, changes: SourceChanges): Partial<SourceSettingsInput> {
  if (!changes.oauthProvider || changes.oauthProvider === stored.oauthProvider) return stored;
  const kept: Partial<SourceSettingsInput> = { ...stored };
  for (const key of PROVIDER_SPECIFIC) if (changes[key] === undefined) delete kept[key];
  return kept;
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
  const current: Partial<SourceSettingsInput> = withoutOtherProvidersSettings(stored ?? {}, changes);
  if (stored?.password && (changes.password === undefined || changes.password === null)) {
    const next: SourceChanges = { ...current, ...changes };
    const moved = PASSWORD_DESTINATION.filter((key) => changes[key] !== undefined && destination(next, key) !== destination(current, key));
    if (moved.length) {
      const message = `Password should be given again: the ${moved.join(', ')} changed, and the stored password is only ever sent where it was set for`;
      throw new SettingsError(message, 'password');
    }
  }
  // Only a kept secret can be sent somewhere new; a cleared one (null: a public client) goes nowhere.
  if (stored?.oauthClientSecret && changes.oauthClientSecret === undefined) {
    const moved = CLIENT_SECRET_DESTINATION.filter((key) => changes[key] !== undefined && (changes[key] ?? null) !== (current[key] ?? null));
    if (moved.length) {
      const message = `Client secret should be given again: the ${moved.join(', ')} changed, and the stored secret is only ever sent where it was set for`;
      throw new SettingsError(message, 'oauthClientSecret');
    }
  }
  const plainPassword = changes.password ?? (stored?.password ? secrets.decrypt(stored.password) : undefined);
  const plainClientSecret = changes.oauthClientSecret === undefined && stored?.oauthClientSecret
    ? secrets.decrypt(stored.oauthClientSecret)
    : changes.oauthClientSecret;
  // A cleared (null) setting overrides the stored value here and is dropped by settingsToStore.
  const merged: SourceChanges = {
    ...current,
    ...changes,
    ...(plainPassword !== undefined ? { password: plainPassword } : {}),
    ...(plainClientSecret !== undefined ? { oauthClientSecret: plainClientSecret } : {}),
  };
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

/** The account a profile reads (protocol, host, login), for telling whether an update points it at another one. */
export function mailboxAccount(source: SourceSettings | null): string {
  if (!source) return '';
  return JSON.stringify([source.protocol, (source.host ?? '').toLowerCase(), (source.login ?? '').toLowerCase()]);
}

/** The mailbox a profile reads, for telling whether an update points it somewhere else. */
export function mailboxIdentity(source: SourceSettings | null): string {
  if (!source) return '';
  return JSON.stringify([source.protocol, (source.host ?? '').toLowerCase(), source.port, (source.login ?? '').toLowerCase(), source.folder]);
}
