// A bare-socket IMAP probe for Check Connection: TCP connect, TLS handshake, greeting, CAPABILITY and
// STARTTLS, each awaited on its own so its duration and failure can be reported separately. imapflow
// does all of these inside one connect() call; the probe exists only to say which of them went wrong.
// It never sends credentials: login and folder are checked with imapflow itself (check.ts).
import net from 'node:net';
import tls from 'node:tls';
import type { ImapTlsOptions } from './options.js';

export class ProbeTimeout extends Error {
  constructor(readonly what: string) {
    super(`timed out while ${what}`);
    this.name = 'ProbeTimeout';
  }
}

/** Reads CRLF-terminated lines from a socket; a new reader is made after STARTTLS. */
export class LineReader {
  private buffer = '';
  private lines: string[] = [];
  private waiter: { resolve: (line: string) => void; reject: (err: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, end).replace(/\r$/, ''));
        this.buffer = this.buffer.slice(end + 1);
      }
      this.deliver();
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      this.deliver();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(Object.assign(new Error('the server closed the connection'), { code: 'ECONNRESET' })));
  }

  /** Detach from the socket (before handing it to TLS). */
  release(): void {
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    this.socket.removeAllListeners('error');
  }

  readLine(timeoutMs: number, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new ProbeTimeout(what));
      }, timeoutMs);
      this.waiter = {
        resolve: (line) => { clearTimeout(timer); resolve(line); },
        reject: (err) => { clearTimeout(timer); reject(err); },
      };
      this.deliver();
    });
  }

  private deliver(): void {
    if (!this.waiter) return;
    const waiter = this.waiter;
    if (this.lines.length) {
      this.waiter = undefined;
      waiter.resolve(this.lines.shift()!);
    } else if (this.failure) {
      this.waiter = undefined;
      waiter.reject(this.failure);
    }
  }
}

export function connectTcp(host: string, port: number, localAddress: string | undefined, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ProbeTimeout('connecting'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export interface TlsReport {
  protocol: string;
  cipher: string;
  authorized: boolean;
  authorizationError?: string;
  subject?: string;
  validTo?: string;
}

/** TLS over an open socket (right away for 'tls', after STARTTLS for 'starttls'). */
export function startTls(socket: net.Socket, host: string, options: ImapTlsOptions, allowInvalid: boolean,
  timeoutMs: number): Promise<{ socket: tls.TLSSocket; report: TlsReport }> {
  return new Promise((resolve, reject) => {
    const servername = options.servername ?? (net.isIP(host) ? undefined : host);
    const secure = tls.connect({
      socket,
      host,
      ...(servername ? { servername } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
      rejectUnauthorized: !allowInvalid,
    });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new ProbeTimeout('negotiating TLS'));
    }, timeoutMs);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.removeAllListeners('error');
      const cert = secure.getPeerCertificate();
      const cipher = secure.getCipher();
      const subject = cert?.subject?.CN;
      resolve({
        socket: secure,
        report: {
          protocol: secure.getProtocol() ?? 'TLS',
          cipher: cipher?.standardName ?? cipher?.name ?? '',
          authorized: secure.authorized,
          ...(secure.authorizationError ? { authorizationError: String(secure.authorizationError) } : {}),
          ...(subject ? { subject: String(subject) } : {}),
          ...(cert?.valid_to ? { validTo: cert.valid_to } : {}),
        },
      });
    });
    secure.once('error', (err) => {
      clearTimeout(timer);
      secure.destroy();
      reject(err);
    });
  });
}

/** Sends a tagged command and collects its untagged lines until the tagged answer. */
export async function command(reader: LineReader, tag: string, line: string, timeoutMs: number):
  Promise<{ status: 'OK' | 'NO' | 'BAD'; text: string; untagged: string[] }> {
  reader.socket.write(`${tag} ${line}\r\n`);
  const untagged: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await reader.readLine(Math.max(1, deadline - Date.now()), `waiting for the answer to ${line.split(' ')[0]}`);
    if (answer.startsWith(`${tag} `)) {
      const match = /^\S+ (OK|NO|BAD)\s?(.*)$/i.exec(answer);
      return { status: (match?.[1]?.toUpperCase() ?? 'BAD') as 'OK' | 'NO' | 'BAD', text: match?.[2] ?? answer, untagged };
    }
    untagged.push(answer);
  }
}

export function describeTls(report: TlsReport): string {
  const cert = report.subject ? `certificate for ${report.subject} (valid to ${report.validTo})` : 'certificate';
  return report.authorized
    ? `${report.protocol} ${report.cipher}, ${cert} verified`
    : `${report.protocol} ${report.cipher}, ${cert} NOT verified (${report.authorizationError}); accepted because allowInvalidCertificate is set`;
}
