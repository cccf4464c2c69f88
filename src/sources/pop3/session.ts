// Opening a POP3 session, step by step: TCP, TLS (or greeting + CAPA + STLS + TLS), greeting, CAPA, login.
// Pop3Client.connect() and connectSteps() (Check Connection) share this code, so what the check reports is
// exactly what intake does. An optional observer hears about every step with its duration.
import { Pop3Connection, type StatusLine, type TlsInfo } from './connection.js';
import { describePop3Error } from './describe.js';
import { Pop3Error } from './errors.js';
import { checkOptions, type Pop3Options } from './options.js';

export type StepName = 'tcp' | 'tls' | 'greeting' | 'capabilities' | 'auth' | 'stat';

export interface StepReport {
  step: StepName;
  ok: boolean;
  /** Wall time of the step in milliseconds. */
  ms: number;
  /** What happened, for people: "connected to …", "the server refused the login or password", … */
  message: string;
  error?: Pop3Error;
}

export type StepObserver = (report: StepReport) => void;

export type AuthMechanism = 'PLAIN' | 'XOAUTH2' | 'USER';

export interface Session {
  conn: Pop3Connection;
  greeting: string;
  capabilities: string[];
  tls?: TlsInfo;
  authMechanism: AuthMechanism;
}

/** Runs one step, reports it, and turns foreign errors into Pop3Errors of `fallbackStep`. */
export async function timedStep<T>(observer: StepObserver | undefined, step: StepName, opts: Pop3Options,
  fn: () => Promise<T>, success: (value: T) => string): Promise<T> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const value = await fn();
    observer?.({ step, ok: true, ms: ms(), message: success(value) });
    return value;
  } catch (err) {
    const error = err instanceof Pop3Error ? err : new Pop3Error('command', String((err as Error)?.message ?? err), { cause: err });
    observer?.({ step, ok: false, ms: ms(), message: describePop3Error(error, opts), error });
    throw error;
  }
}

export async function openSession(opts: Pop3Options, observer?: StepObserver): Promise<Session> {
  const { timeoutMs } = checkOptions(opts);
  const secrets = secretsOf(opts);
  const tlsOptions = {
    host: opts.host,
    ...(opts.servername ? { servername: opts.servername } : {}),
    ...(opts.ca ? { ca: opts.ca } : {}),
    allowInvalidCertificate: !!opts.allowInvalidCertificate,
  };
  const conn = await timedStep(observer, 'tcp', opts,
    () => Pop3Connection.open({ host: opts.host, port: opts.port, localAddress: opts.localAddress, timeoutMs, secrets }),
    () => `connected to ${opts.host}:${opts.port}`);
  try {
    let tls: TlsInfo | undefined;
    if (opts.tls === 'tls') tls = await timedStep(observer, 'tls', opts, () => conn.upgradeToTls(tlsOptions), describeTls);

    const greeting = await timedStep(observer, 'greeting', opts, async () => {
      const status = await conn.readStatus('greeting');
      if (status.kind !== 'ok') throw refused('greeting', 'the server refused the session', status);
      return status.text;
    }, (text) => `server says: ${text}`);

    let capabilities = await timedStep(observer, 'capabilities', opts, () => capa(conn),
      (caps) => caps === undefined ? 'the server does not support CAPA (old RFC 1939 server)' : caps.join(', ') || '(none)');

    if (opts.tls === 'starttls') {
      [tls, capabilities] = await timedStep(observer, 'tls', opts, async () => {
        if (capabilities !== undefined && !capabilities.some((c) => c.toUpperCase() === 'STLS')) {
          throw new Pop3Error('stls', 'the server does not offer STLS (STARTTLS) on this port');
        }
        conn.send('STLS');
        const status = await conn.readStatus('stls');
        if (status.kind !== 'ok') throw refused('stls', 'STLS refused by the server', status);
        const info = await conn.upgradeToTls(tlsOptions);
        // RFC 2595 §4: forget what was learned before TLS and ask again.
        return [info, await capa(conn)] as const;
      }, ([info]) => `STLS: ${describeTls(info)}`);
    }

    const caps = capabilities ?? [];
    const authMechanism = await timedStep(observer, 'auth', opts, () => authenticate(conn, opts, caps),
      (mech) => `logged in as ${opts.login} (${mech === 'USER' ? 'USER/PASS' : `AUTH ${mech}`})`);
    return { conn, greeting, capabilities: caps, ...(tls ? { tls } : {}), authMechanism };
  } catch (err) {
    conn.destroy(err instanceof Pop3Error ? err : undefined);
    throw err;
  }
}

/** Sends a command and requires +OK; -ERR becomes a Pop3Error naming only the verb (never arguments). */
export async function expectOk(conn: Pop3Connection, line: string, step: 'command' | 'auth', label: string): Promise<StatusLine> {
  conn.send(line);
  const status = await conn.readStatus(step);
  if (status.kind !== 'ok') throw refused(step, `${label} refused by the server`, status);
  return status;
}

async function capa(conn: Pop3Connection): Promise<string[] | undefined> {
  conn.send('CAPA');
  const status = await conn.readStatus('capa');
  if (status.kind !== 'ok') return undefined; // RFC 1939-only server: fall back to USER/PASS
  const body = await conn.readMultilineBuffer('capa');
  return body.toString('utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}

async function authenticate(conn: Pop3Connection, opts: Pop3Options, caps: string[]): Promise<AuthMechanism> {
  const saslLine = caps.find((c) => /^SASL(\s|$)/i.test(c));
  const sasl = saslLine ? saslLine.split(/\s+/).slice(1).map((m) => m.toUpperCase()) : [];
  if (opts.accessToken !== undefined) {
    await saslExchange(conn, 'XOAUTH2', xoauth2Blob(opts.login, opts.accessToken));
    return 'XOAUTH2';
  }
  const password = opts.password ?? '';
  if (sasl.includes('PLAIN')) {
    // AUTH PLAIN carries UTF-8 logins and passwords with spaces safely; USER/PASS may not.
    await saslExchange(conn, 'PLAIN', plainBlob(opts.login, password));
    return 'PLAIN';
  }
  await expectOk(conn, `USER ${opts.login}`, 'auth', 'USER');
  await expectOk(conn, `PASS ${password}`, 'auth', 'PASS');
  return 'USER';
}

/** RFC 5034 exchange without an initial response (the form every SASL-capable server accepts). */
async function saslExchange(conn: Pop3Connection, mechanism: string, blob: string): Promise<void> {
  conn.send(`AUTH ${mechanism}`);
  let status = await conn.readStatus('auth');
  if (status.kind === 'continue') {
    conn.send(blob);
    status = await conn.readStatus('auth');
    if (status.kind === 'continue') {
      // A server challenge after our credentials is an error report (XOAUTH2 sends JSON); answer empty to finish.
      conn.send('');
      status = await conn.readStatus('auth');
    }
  }
  if (status.kind !== 'ok') throw refused('auth', `AUTH ${mechanism} refused by the server`, status);
}

/** The Pop3Error of a -ERR answer: `what`, and the server's text and response code. */
export function refused(step: 'greeting' | 'stls' | 'auth' | 'command', what: string, status: StatusLine): Pop3Error {
  return new Pop3Error(step, status.text ? `${what}: ${status.text}` : what, {
    serverText: status.text,
    ...(status.responseCode ? { responseCode: status.responseCode } : {}),
  });
}

function plainBlob(login: string, password: string): string {
  return Buffer.from(`\0${login}\0${password}`, 'utf8').toString('base64');
}

function xoauth2Blob(login: string, token: string): string {
  return Buffer.from(`user=${login}\x01auth=Bearer ${token}\x01\x01`, 'utf8').toString('base64');
}

function secretsOf(opts: Pop3Options): string[] {
  const out: string[] = [];
  if (opts.password) out.push(opts.password, plainBlob(opts.login, opts.password));
  if (opts.accessToken) out.push(opts.accessToken, xoauth2Blob(opts.login, opts.accessToken));
  return out;
}

function describeTls(info: TlsInfo): string {
  const cert = info.subject ? `certificate for ${info.subject} (valid to ${info.validTo})` : 'certificate';
  return info.authorized
    ? `${info.protocol} ${info.cipher}, ${cert} verified`
    : `${info.protocol} ${info.cipher}, ${cert} NOT verified (${info.authorizationError}); accepted because invalid certificates are allowed`;
}
