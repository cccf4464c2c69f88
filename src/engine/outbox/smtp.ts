// Talking SMTP: nodemailer transport options from a profile's settings, one mail sent, and an SMTP
// failure in words a person can act on, with the server's reply code kept. The password goes only to
// the server it was set for and never into a message or a log line.
import nodemailer from 'nodemailer';
import type { ResolvedSmtp } from '../../store/smtp-settings.js';

/** Connection details that are not settings: an extra CA (tests; production uses NODE_EXTRA_CA_CERTS), timeouts. */
export interface SmtpExtras {
  ca?: string;
  servername?: string;
  timeoutMs?: number;
}

export const DEFAULT_SMTP_TIMEOUT_MS = 30_000;

export function transportOptions(settings: ResolvedSmtp, extras: SmtpExtras = {}) {
  const timeout = extras.timeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS;
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.tls === 'tls',
    // STARTTLS is required when chosen: a server that does not offer it fails, never falls back to plain text.
    requireTLS: settings.tls === 'starttls',
    ignoreTLS: settings.tls === 'none',
    tls: {
      rejectUnauthorized: !settings.allowInvalidCertificate,
      ...(extras.ca ? { ca: extras.ca } : {}),
      ...(extras.servername ? { servername: extras.servername } : {}),
    },
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 2,
    // No pooling: the worker sends a handful of mails at a time; a fresh connection per batch.
    pool: false,
  };
}

export interface OutgoingMail {
  from: { name: string | null; address: string };
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string | null;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  replyTo: string | null;
  /** Our loop header's value: what says, should this mail come back, that it is ours. */
  loopMarker: string;
  /**
   * The SMTP envelope sender (MAIL FROM), when not the From address: our return-path token address
   * (`support+b…@`), so that a bounce is addressed to it. The From header stays as it is.
   */
  returnPath?: string | null;
}

/** The header names, spelled as mail carries them. LOOP_HEADER in mail/classify.ts is this one, lowercased. */
const LOOP_HEADER_NAME = 'X-Mailbind-Loop';

export function mailOptions(mail: OutgoingMail) {
  return {
    from: mail.from.name ? { name: mail.from.name, address: mail.from.address } : mail.from.address,
    to: { name: mail.to.name, address: mail.to.address },
    subject: mail.subject,
    text: mail.text,
    ...(mail.html !== null ? { html: mail.html } : {}),
    messageId: `<${mail.messageId}>`,
    ...(mail.inReplyTo ? { inReplyTo: `<${mail.inReplyTo}>` } : {}),
    ...(mail.references.length ? { references: mail.references.map((r) => `<${r}>`) } : {}),
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    // Given an envelope, nodemailer takes MAIL FROM and RCPT TO from it and leaves the headers alone.
    ...(mail.returnPath ? { envelope: { from: mail.returnPath, to: mail.to.address } } : {}),
    headers: {
      // RFC 3834: an automatic answer, so that responders and our own classifier never answer it back.
      'Auto-Submitted': 'auto-replied',
      // Exchange: do not send out-of-office or delivery-report mail back to this one.
      'X-Auto-Response-Suppress': 'All',
      [LOOP_HEADER_NAME]: mail.loopMarker,
    },
  };
}

export interface SendResult {
  /** The server's reply to the end of DATA ("250 2.0.0 Ok: queued as …"). */
  response: string;
}

/** `signal` aborts the send (nodemailer closes the connection): the outbox's overall deadline. */
export async function sendOne(settings: ResolvedSmtp, mail: OutgoingMail, extras: SmtpExtras = {}, signal?: AbortSignal): Promise<SendResult> {
  const transport = nodemailer.createTransport(transportOptions(settings, extras));
  try {
    const info = await transport.sendMail({ ...mailOptions(mail), ...(signal ? { signal } : {}) });
    if (info.rejected?.length) throw Object.assign(new Error(`the server refused the recipient ${mail.to.address}`), { code: 'EENVELOPE', responseCode: 550 });
    return { response: String(info.response ?? '') };
  } finally {
    transport.close();
  }
}

export interface SmtpFailure {
  /** The SMTP reply code when the server gave one. */
  code: number | null;
  /** In words, with the server's reply: what the outbox records and Check Connection shows. */
  response: string;
  /** The server refused this mail for good (5xx to the envelope or the data): retrying cannot help. */
  permanent: boolean;
  /** The setting to look at, for a form: host, port, tls, allowInvalidCertificate, user, password, fromAddress. */
  field: string | null;
}

interface NodemailerError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

/** A nodemailer (or socket) error in words a person can act on. The password never appears in one. */
export function describeSmtpError(error: unknown, settings: Pick<ResolvedSmtp, 'host' | 'port' | 'tls' | 'user'>): SmtpFailure {
  const e = (error ?? {}) as NodemailerError;
  const where = `${settings.host}:${settings.port}`;
  const reply = e.response ? e.response.replace(/\s+/g, ' ').trim().slice(0, 500) : null;
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  const said = reply ? ` (the server said: ${reply})` : '';
  const message = String(e.message ?? error);
  switch (e.code) {
    case 'EAUTH':
      return { code, response: `${where} refused the login of ${settings.user ?? '(no user)'}: wrong user or password${said}`, permanent: false, field: 'password' };
    case 'ENOAUTH':
      return { code, response: `${where} wants a login: set the SMTP user and password`, permanent: false, field: 'user' };
    case 'EENVELOPE':
    case 'EMESSAGE': {
      const permanent = code !== null && code >= 500;
      return { code, response: `${where} refused the mail${said || `: ${message}`}`, permanent, field: null };
    }
    case 'ETLS':
      return tlsFailure(where, settings, message, code);
    case 'EABORT':
      // Our own deadline (outbox/sender.ts): a server that keeps a send going for minutes, byte by byte.
      return { code, response: `${where} did not finish the mail in time: the send was cut off at its deadline`, permanent: false, field: null };
    case 'ETIMEDOUT':
      return { code, response: `${where} did not answer in time (${message}); check the host and port, and that a firewall lets mailbind reach it`, permanent: false, field: 'port' };
    case 'EDNS':
      return { code, response: `the host name '${settings.host}' cannot be resolved (${message})`, permanent: false, field: 'host' };
    case 'ECONNECTION':
    case 'ESOCKET': {
      if (/ECONNREFUSED/.test(message)) return { code, response: `${where} refused the connection: nothing listens there (check the host and port)`, permanent: false, field: 'port' };
      if (/ENOTFOUND|EAI_AGAIN/.test(message)) return { code, response: `the host name '${settings.host}' does not exist (DNS)`, permanent: false, field: 'host' };
      if (/certificate|self[- ]signed|altname|CERT_|SSL|TLS|wrong version/i.test(message)) return tlsFailure(where, settings, message, code);
      return { code, response: `the connection to ${where} failed: ${message}`, permanent: false, field: 'host' };
    }
    default:
      if (code !== null) return { code, response: `${where} answered ${code}${said || `: ${message}`}`, permanent: false, field: null };
      return { code, response: `sending through ${where} failed: ${message}`, permanent: false, field: null };
  }
}

function tlsFailure(where: string, settings: Pick<ResolvedSmtp, 'tls'>, message: string, code: number | null): SmtpFailure {
  if (/certificate|self[- ]signed|altname|CERT_|unable to verify/i.test(message)) {
    return { code, response: `the certificate of ${where} is not trusted (${message}); fix the server's certificate, or allow an invalid certificate`, permanent: false, field: 'allowInvalidCertificate' };
  }
  if (/wrong version|packet length|ssl3_get_record|EPROTO/i.test(message)) {
    const hint = settings.tls === 'tls' ? 'this port does not speak TLS at once: choose STARTTLS (port 587) or the TLS port (465)' : 'choose TLS for this port';
    return { code, response: `TLS with ${where} failed: ${hint} (${message})`, permanent: false, field: 'tls' };
  }
  if (/STARTTLS/i.test(message)) {
    return { code, response: `${where} does not offer STARTTLS; choose TLS (port 465) or, only on a trusted network, no TLS`, permanent: false, field: 'tls' };
  }
  return { code, response: `TLS with ${where} failed: ${message}`, permanent: false, field: 'tls' };
}
