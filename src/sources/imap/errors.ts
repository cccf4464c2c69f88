// Failures of the IMAP source in plain words. imapflow and Node report codes (SELF_SIGNED_CERT_IN_CHAIN,
// AUTHENTICATIONFAILED, GREETING_TIMEOUT, …); people need to know what is wrong and what to change. The
// same wording serves poll errors (profile status) and Check Connection.
import type { ResolvedSettings } from '../settings.js';
import { endpoint } from './options.js';

export type ImapStep = 'tcp' | 'tls' | 'greeting' | 'capabilities' | 'auth' | 'folder' | 'command' | 'timeout';

/** An IMAP failure with a message meant for people; the original error is the cause. */
export class ImapSourceError extends Error {
  constructor(
    readonly step: ImapStep,
    message: string,
    options: { cause?: unknown; code?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ImapSourceError';
    this.code = options.code;
  }
  readonly code: string | undefined;
  /** The message being downloaded when the connection was lost or timed out (download-all.ts). */
  downloadingUid?: number;
}

/**
 * A watchdog of ours ran out: the server (or the network) stopped answering, or, when some of the
 * answer had come (`received` bytes), stopped sending in the middle of it.
 */
export class ImapTimeoutError extends ImapSourceError {
  constructor(what: string, ms: number, settings: Pick<ResolvedSettings, 'host' | 'port'>, received = 0) {
    super('timeout', received > 0
      ? `${endpoint(settings)} sent nothing more for ${formatMs(ms)} while ${what}, after ${formatBytes(received)}`
      : `${endpoint(settings)} did not answer within ${formatMs(ms)} while ${what}`, { code: 'ETIMEOUT' });
    this.name = 'ImapTimeoutError';
  }
}

interface FlowError {
  code?: string;
  message?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
  mailboxMissing?: boolean;
  tlsFailed?: boolean;
}

const TLS_CERT: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed; install its CA or set allowInvalidCertificate",
  SELF_SIGNED_CERT_IN_CHAIN:
    "the server's certificate is self-signed (signed by a private CA that is not trusted); install its CA or set allowInvalidCertificate",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate is signed by an unknown authority; install its CA or set allowInvalidCertificate",
  UNABLE_TO_GET_ISSUER_CERT: "the server's certificate is signed by an unknown authority; install its CA or set allowInvalidCertificate",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's certificate is signed by an unknown authority; install its CA or set allowInvalidCertificate",
  CERT_HAS_EXPIRED: "the server's certificate has expired; renew it on the server, or set allowInvalidCertificate",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet (check the clocks)",
  CERT_REVOKED: "the server's certificate was revoked",
};

/** The TLS part of a message, or undefined when the error is not about TLS. */
export function describeTlsError(err: FlowError, settings: Pick<ResolvedSettings, 'host' | 'port' | 'tls'>, servername?: string): string | undefined {
  const code = err.code ?? '';
  if (Object.hasOwn(TLS_CERT, code)) return TLS_CERT[code];
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the server's certificate is not valid for ${servername ?? settings.host} (host name mismatch): ${err.message ?? ''}`.trim();
  }
  const text = err.message ?? '';
  if (/wrong version number|unknown protocol|packet length too long|http request/i.test(text) || code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return `${endpoint(settings)} does not speak TLS: choose STARTTLS or no TLS for this port, or use the TLS port (993)`;
  }
  if (/^ERR_SSL_|^ERR_TLS_/.test(code) || /handshake|ssl routines/i.test(text)) return `the TLS handshake failed: ${text}`;
  return undefined;
}

const NET: Record<string, (where: string) => string> = {
  ECONNREFUSED: (w) => `nothing accepts connections on ${w} (connection refused): check the host and port`,
  ENOTFOUND: (w) => `the host name of ${w} could not be resolved: check the spelling`,
  EAI_AGAIN: (w) => `the host name of ${w} could not be resolved right now (DNS problem)`,
  ETIMEDOUT: (w) => `${w} could not be reached (connection timed out)`,
  EHOSTUNREACH: (w) => `${w} could not be reached (no route to host)`,
  ENETUNREACH: (w) => `${w} could not be reached (network unreachable)`,
  ECONNRESET: (w) => `${w} closed the connection abruptly`,
  EPIPE: (w) => `${w} closed the connection abruptly`,
  EADDRNOTAVAIL: (w) => `the local address to connect from is not available (connecting to ${w})`,
  CONNECT_TIMEOUT: (w) => `${w} could not be reached (connection timed out)`,
};

/** What to tell people about a failure to connect, log in or open the folder. */
export function describeImapError(
  error: unknown,
  settings: Pick<ResolvedSettings, 'host' | 'port' | 'tls' | 'folder'>,
  context: { capabilities?: Iterable<string>; servername?: string } = {},
): string {
  if (error instanceof ImapSourceError) return error.message;
  const err = (error ?? {}) as FlowError;
  const where = endpoint(settings);
  const code = err.code ?? '';
  const caps = new Set([...(context.capabilities ?? [])].map((c) => c.toUpperCase()));
  if (err.mailboxMissing) return `folder '${settings.folder}' does not exist`;
  if (Object.hasOwn(NET, code)) return NET[code]!(where);
  if (code === 'GREETING_TIMEOUT') {
    const hint = settings.tls === 'tls' ? '' : '; if this is the TLS port (993), choose TLS instead';
    return `${where} accepted the connection but sent no IMAP greeting${hint}`;
  }
  if (/STARTTLS/.test(err.message ?? '') && /not support|not possible|not offer/i.test(err.message ?? '')) {
    return `${where} does not offer STARTTLS; choose TLS (port 993) or, only on a trusted network, no TLS`;
  }
  const tls = describeTlsError(err, settings, context.servername);
  if (tls) return tls;
  if (err.authenticationFailed) {
    if (caps.has('LOGINDISABLED') || /login is disabled|plaintext/i.test(`${err.message} ${err.responseText}`)) {
      return 'the server requires TLS before login (it announces LOGINDISABLED, "Plaintext authentication disallowed"): choose TLS or STARTTLS';
    }
    const server = err.responseText ? ` (server: "${err.responseText}")` : '';
    return `the server refused the login or password${server}`;
  }
  if (code === 'NoConnection' || code === 'EConnectionClosed' || code === 'ClosedAfterConnectText' || code === 'ClosedAfterConnectTLS') {
    return `${where} closed the connection`;
  }
  if (err.responseText) return `the server refused a command: ${err.responseText}`;
  return err.message || String(error);
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
