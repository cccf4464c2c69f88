// How the IMAP source reaches a server: the profile's settings plus the few knobs that are not settings
// (extra CA, source address, timeouts, logger), turned into imapflow options in one place so that poll,
// watcher and Check Connection connect exactly alike.
import type { Logger } from 'pino';
import type { ImapFlowOptions } from 'imapflow';
import type { ResolvedSettings } from '../settings.js';

export interface ImapTlsOptions {
  /** Extra CA certificate(s), PEM, trusted besides the system store. */
  ca?: string | string[];
  /** Name sent as SNI and checked against the certificate; default the host (an IP host is checked as an IP). */
  servername?: string;
  /** Source address of the TCP connection (tests use 127.0.0.5 to look non-local to Dovecot). */
  localAddress?: string;
}

export interface ImapSourceOptions {
  tlsOptions?: ImapTlsOptions;
  /** TCP connect + TLS handshake, and separately the greeting. Default 30 000 ms. */
  connectTimeoutMs?: number;
  /** Longest silence allowed while waiting for a command's answer or the next bytes of a download. Default 60 000 ms. */
  commandTimeoutMs?: number;
  /** Download window of the streaming path (messages above streamAboveBytes); this much memory per download. */
  chunkBytes?: number;
  /**
   * Most messages in one batch: one `UID FETCH <set> BODY.PEEK[]`, one durability barrier (blobs synced
   * together, rows and cursor in one transaction), then the caller processes them (afterIntake), so an
   * interrupted poll keeps its progress. Default 100.
   */
  batchMessages?: number;
  /**
   * Most bytes in one batch, by the sizes the listing gave (RFC822.SIZE): what a batch holds in memory.
   * A server that understates sizes makes a batch stop at this plus one message below streamAboveBytes
   * (fetch-batch.ts). Default 8 MiB.
   */
  batchBytes?: number;
  /** Messages larger than this are not batched but streamed to disk window by window. Default 1 MiB. */
  streamAboveBytes?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
export const DEFAULT_CHUNK_BYTES = 256 * 1024;
export const DEFAULT_BATCH_MESSAGES = 100;
export const DEFAULT_BATCH_BYTES = 8 * 1024 * 1024;
export const DEFAULT_STREAM_ABOVE_BYTES = 1024 * 1024;

export interface Timeouts {
  connectMs: number;
  commandMs: number;
}

export function timeoutsOf(options: ImapSourceOptions): Timeouts {
  const connectMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const commandMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  if (!(connectMs > 0)) throw new TypeError(`IMAP: invalid connectTimeoutMs ${options.connectTimeoutMs}`);
  if (!(commandMs > 0)) throw new TypeError(`IMAP: invalid commandTimeoutMs ${options.commandTimeoutMs}`);
  return { connectMs, commandMs };
}

/** Where to connect, for messages: "mail.example.com:993". */
export function endpoint(settings: Pick<ResolvedSettings, 'host' | 'port'>): string {
  return `${settings.host}:${settings.port}`;
}

/**
 * imapflow options for these settings. 'starttls' makes the upgrade mandatory (doSTARTTLS: true), so a
 * server that stops offering STARTTLS (or an attacker stripping it) fails the connection instead of
 * sending the password in clear; 'none' never upgrades (doSTARTTLS: false).
 */
export function flowOptions(
  settings: ResolvedSettings,
  options: ImapSourceOptions,
  extra: { logger?: Logger; idle?: boolean } = {},
): ImapFlowOptions {
  const { connectMs, commandMs } = timeoutsOf(options);
  const tls = options.tlsOptions ?? {};
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.tls === 'tls',
    doSTARTTLS: settings.tls === 'starttls' ? true : settings.tls === 'none' ? false : undefined,
    ...(tls.servername ? { servername: tls.servername } : {}),
    // imapflow hands `tls` to net.connect/tls.connect as well, which is where localAddress takes effect.
    tls: {
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.localAddress ? { localAddress: tls.localAddress } : {}),
      rejectUnauthorized: !settings.allowInvalidCertificate,
    },
    // An OAuth2 mailbox logs in with its access token (imapflow picks OAUTHBEARER or XOAUTH2 as offered).
    auth: settings.accessToken !== undefined ? { user: settings.login, accessToken: settings.accessToken } : { user: settings.login, pass: settings.password },
    clientInfo: { name: 'mailbind', version: false, vendor: false, 'support-url': false },
    logger: extra.logger ? imapflowLogger(extra.logger) : false,
    connectionTimeout: connectMs,
    greetingTimeout: connectMs,
    // Our own watchdogs (deadline.ts) fire first with a precise message; imapflow's inactivity timer is
    // the backstop, and for the watcher what keeps a silent IDLE connection honest (NOOP probes).
    socketTimeout: Math.max(commandMs * 2, 5 * 60_000),
    // A poll never idles: it runs its commands back to back, then logs out. The watcher idles on purpose.
    disableAutoIdle: !extra.idle,
    // IDLE again half a second after anything else ran (default 15 s, during which nothing is announced),
    // and restart it every 5 minutes, well inside the 29 minutes servers allow (RFC 2177).
    ...(extra.idle ? { autoIdleDelay: 500, maxIdleTime: 5 * 60_000 } : {}),
  };
}

/** imapflow logs every connection at info and every command at debug; keep it at warn unless we debug. */
// imapflow logs each failure with its stack; our own log lines already say what failed and what
// happens next, so the library speaks only when debugging (MAILBIND_DEBUG=1 sets the level).
function imapflowLogger(logger: Logger): Logger {
  const verbose = logger.isLevelEnabled?.('debug') ?? false;
  return logger.child({ component: 'imapflow' }, { level: verbose ? logger.level : 'silent' });
}
