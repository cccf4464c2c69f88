// What the mailbox settings are without their schema: the protocol and TLS choices (declared once),
// the defaults, and the error that names a field. Free of imports, so the command line can list the
// choices in --help, and `deliver` can store a message, without loading the schema library.

/** Every way a profile's mail arrives: the one list the CLI, the API and the sources share. */
export const PROTOCOLS = ['pop3', 'imap', 'pipe'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** The protocols whose mailboxes mailbind polls itself (pipe is pushed by `mailbind deliver`). */
export const POLLED_PROTOCOLS = ['pop3', 'imap'] as const satisfies readonly Protocol[];
export type PolledProtocol = (typeof POLLED_PROTOCOLS)[number];

export const TLS_MODES = ['none', 'starttls', 'tls'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

/** How mailbind logs in to a mailbox: with its password, or with OAuth2 tokens from a sign-in. */
export const AUTH_METHODS = ['password', 'oauth2'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** Where an OAuth2 mailbox signs in: a preset (endpoints and scopes known) or any standards-compliant provider. */
export const OAUTH_PROVIDERS = ['google', 'microsoft', 'custom'] as const;
export type OAuthProvider = (typeof OAUTH_PROVIDERS)[number];

export const DEFAULT_POLL_SECONDS = 60;
export const DEFAULT_MAX_MESSAGE_BYTES = 50 * 1024 * 1024;

export function defaultPort(protocol: Protocol, tls: TlsMode): number | null {
  if (protocol === 'pop3') return tls === 'tls' ? 995 : 110;
  if (protocol === 'imap') return tls === 'tls' ? 993 : 143;
  return null;
}

export class SettingsError extends Error {
  constructor(
    message: string,
    /** The first field at fault (null when the problem is not one field's). */
    readonly field: string | null,
    /** Every field at fault, each with its message: what a form shows next to each field. */
    readonly fields: ReadonlyArray<{ field: string; message: string }> = field ? [{ field, message }] : [],
  ) {
    super(message);
  }
}
