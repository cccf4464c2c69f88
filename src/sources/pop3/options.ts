// Connection options of the POP3 client, with their defaults and validation.

/** 'tls': TLS from the first byte (POP3S, port 995). 'starttls': plain connect, then STLS (RFC 2595, port 110). */
export type TlsMode = 'none' | 'starttls' | 'tls';

export interface Pop3Options {
  host: string;
  port: number;
  tls: TlsMode;
  /** Accept a certificate that does not verify (self-signed, expired, other host). Off by default. */
  allowInvalidCertificate?: boolean;
  /** Extra CA certificate(s), PEM, to trust besides the system store. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Name to send (SNI) and to check the certificate against; default `host` (an IP host is checked as an IP). */
  servername?: string;
  /** Source address of the TCP connection. */
  localAddress?: string;
  login: string;
  /** For AUTH PLAIN (preferred when advertised) or USER/PASS. */
  password?: string;
  /** OAuth2 bearer token: logs in with AUTH XOAUTH2 instead of the password. */
  accessToken?: string;
  /** Limit for each step: connect, TLS handshake, greeting, every command, and every pause in a download. Default 30 000. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** The port a POP3 server normally listens on for the given TLS mode. */
export function defaultPort(tls: TlsMode): number {
  return tls === 'tls' ? 995 : 110;
}

/** Throws a TypeError naming the first bad option; returns the timeout to use. Never echoes secrets. */
export function checkOptions(o: Pop3Options): { timeoutMs: number } {
  if (!o.host) throw new TypeError('POP3: host is required');
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new TypeError(`POP3: invalid port ${o.port}`);
  if (!['none', 'starttls', 'tls'].includes(o.tls)) throw new TypeError(`POP3: tls must be none, starttls or tls`);
  if (!o.login) throw new TypeError('POP3: login is required');
  if (o.password === undefined && o.accessToken === undefined) throw new TypeError('POP3: a password or an access token is required');
  // Line breaks would let a login or password inject further commands into USER/PASS.
  if (/[\r\n\0]/.test(o.login)) throw new TypeError('POP3: the login contains a line break or NUL');
  if (o.password !== undefined && /[\r\n\0]/.test(o.password)) throw new TypeError('POP3: the password contains a line break or NUL');
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new TypeError(`POP3: invalid timeoutMs ${o.timeoutMs}`);
  return { timeoutMs };
}
