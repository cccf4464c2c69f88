// What the SMTP settings are without their schema: the TLS choices, the default ports, the error, the
// reader of the stored JSON and the settings a connection is made with. Free of runtime imports, so
// that --help, `deliver` and the sender do not load the schema library (smtp-settings.ts checks writes).
import type { SecretBox } from './secrets.js';

export const SMTP_TLS_MODES = ['none', 'starttls', 'tls'] as const;
export type SmtpTlsMode = (typeof SMTP_TLS_MODES)[number];

/** The submission ports: 465 is TLS from the first byte (RFC 8314), 587 upgrades with STARTTLS, 25 is plain relay. */
export function defaultSmtpPort(tls: SmtpTlsMode): number {
  return tls === 'tls' ? 465 : tls === 'starttls' ? 587 : 25;
}

/** Settings that do not validate, with every field at fault (named without the `smtp.` prefix). */
export class SmtpSettingsError extends Error {
  constructor(
    message: string,
    readonly fields: ReadonlyArray<{ field: string; message: string }>,
  ) {
    super(message);
  }
}

/** The settings as stored (the password sealed); the schema in smtp-settings.ts wrote them. */
export interface StoredSmtp {
  host: string;
  port?: number | undefined;
  tls: SmtpTlsMode;
  allowInvalidCertificate: boolean;
  user?: string | undefined;
  password?: string | undefined;
  fromAddress: string;
  fromName?: string | undefined;
}

/**
 * The stored JSON read back without the schema library (every profile read does this, `deliver`
 * included). It was validated when written; '{}' or anything unreadable is a profile that sends nothing.
 */
export function readSmtpSettings(json: string | null | undefined): StoredSmtp | null {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(json ?? '{}') as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object' || typeof raw.host !== 'string' || typeof raw.fromAddress !== 'string') return null;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    host: raw.host,
    ...(typeof raw.port === 'number' ? { port: raw.port } : {}),
    tls: (SMTP_TLS_MODES as readonly unknown[]).includes(raw.tls) ? (raw.tls as SmtpTlsMode) : 'starttls',
    allowInvalidCertificate: raw.allowInvalidCertificate === true,
    ...(text(raw.user) !== undefined ? { user: text(raw.user) } : {}),
    ...(text(raw.password) !== undefined ? { password: text(raw.password) } : {}),
    fromAddress: raw.fromAddress,
    ...(text(raw.fromName) !== undefined ? { fromName: text(raw.fromName) } : {}),
  };
}

/** With defaults filled in and the password in plain text: what a connection is made with. */
export interface ResolvedSmtp {
  host: string;
  port: number;
  tls: SmtpTlsMode;
  allowInvalidCertificate: boolean;
  user: string | null;
  password: string;
  fromAddress: string;
  fromName: string | null;
}

/** The stored settings with the password unsealed, for a connection; null when the profile sends nothing. */
export function resolveSmtp(stored: StoredSmtp | null, secrets: Pick<SecretBox, 'decrypt'>): ResolvedSmtp | null {
  if (!stored) return null;
  return resolveStoredSmtp(stored, stored.password ? secrets.decrypt(stored.password) : '');
}

/** Defaults filled in, with the password given in plain text. */
export function resolveStoredSmtp(s: StoredSmtp, password: string): ResolvedSmtp {
  return {
    host: s.host,
    port: s.port ?? defaultSmtpPort(s.tls),
    tls: s.tls,
    allowInvalidCertificate: s.allowInvalidCertificate,
    user: s.user ?? null,
    password,
    fromAddress: s.fromAddress,
    fromName: s.fromName ?? null,
  };
}

