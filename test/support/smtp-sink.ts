// A real SMTP peer for tests: smtp-server on loopback with STARTTLS (a certificate from the test PKI)
// and AUTH PLAIN/LOGIN for one user, keeping every message it accepts. It can be stopped and started
// again on the same port, to play a server that is down for a while.
import { readFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { createTestPki, type TestPki } from './tls.js';

export interface SunkMail {
  from: string;
  to: string[];
  raw: string;
  /** Whether the session was under TLS when the mail came in. */
  secure: boolean;
  user: string | null;
}

export interface SmtpSinkOptions {
  user?: string;
  password?: string;
  /** Recipients refused at RCPT TO with 550 (a permanent failure). */
  refuse?: string[];
  /** Take each mail's data and never answer it: a server that hangs before its 250 (counted in `held`). */
  holdData?: boolean;
}

export class SmtpSink {
  readonly mails: SunkMail[] = [];
  /** Mails whose data arrived and were never answered (holdData). */
  held = 0;
  private server: SMTPServer | null = null;
  port = 0;

  private constructor(
    readonly pki: TestPki,
    private readonly key: Buffer,
    private readonly cert: Buffer,
    readonly options: Required<Pick<SmtpSinkOptions, 'user' | 'password'>> & SmtpSinkOptions,
  ) {}

  static async start(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
    const pki = await createTestPki(mkdtempSync(join(tmpdir(), 'mailbind-smtp-pki-')));
    const sink = new SmtpSink(pki, await readFile(pki.keyPath), await readFile(pki.certChainPath), {
      user: 'mailer',
      password: 'mailer-secret',
      ...options,
    });
    await sink.listen();
    return sink;
  }

  /** Listen (again): on the same port as before, once it has one. */
  async listen(): Promise<void> {
    const server = new SMTPServer({
      key: this.key,
      cert: this.cert,
      logger: false,
      // STARTTLS before AUTH, as real submission servers insist.
      allowInsecureAuth: false,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth: (auth, _session, callback) => {
        if (auth.username === this.options.user && auth.password === this.options.password) return callback(null, { user: auth.username });
        callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      },
      onRcptTo: (address, _session, callback) => {
        if (this.options.refuse?.includes(address.address.toLowerCase())) {
          return callback(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`), { responseCode: 550 }));
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.options.holdData) {
            this.held++;
            return;
          }
          this.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            secure: session.secure,
            user: (session.user as string | undefined) ?? null,
          });
          callback(null, `Ok: queued as SINK${this.mails.length}`);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
  }

  /** Stop listening (the server is down) until listen() is called again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Settings input for a profile sending here (STARTTLS on this port, this sink's user). */
  settings(overrides: Record<string, unknown> = {}) {
    return { host: 'localhost', port: this.port, tls: 'starttls' as const, user: this.options.user, password: this.options.password, fromAddress: 'support@mailbind.test', fromName: 'Support', ...overrides };
  }

  /** The header of a sunk mail, unfolded; null when absent. */
  static header(raw: string, name: string): string | null {
    const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    return line ? line.slice(name.length + 1).trim() : null;
  }
}
