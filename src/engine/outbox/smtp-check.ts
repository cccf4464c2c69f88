// Check Connection for SMTP: tcp, tls, greeting (EHLO), auth, each with its time and, on failure, a
// message a person can act on and the setting to fix (`smtp.host`, `smtp.password`, …). Sends no mail.
// The steps after tcp use nodemailer's own connection with the options sending uses, so a passing
// check means sending can connect and log in.
import { connect as tcpConnect, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { ResolvedSmtp } from '../../store/smtp-settings.js';
import { describeSmtpError, DEFAULT_SMTP_TIMEOUT_MS, transportOptions, type SmtpExtras } from './smtp.js';

export interface SmtpCheckStep {
  /** `settings` when the settings themselves do not validate (no connection is tried). */
  step: 'settings' | 'tcp' | 'tls' | 'greeting' | 'auth';
  ok: boolean;
  ms: number;
  message: string;
  field: string | null;
}

export interface SmtpCheckResult {
  ok: boolean;
  steps: SmtpCheckStep[];
}

export async function checkSmtp(settings: ResolvedSmtp, extras: SmtpExtras = {}, listener?: (step: SmtpCheckStep) => void): Promise<SmtpCheckResult> {
  const steps: SmtpCheckStep[] = [];
  const where = `${settings.host}:${settings.port}`;
  let started = performance.now();
  const report = (step: SmtpCheckStep['step'], ok: boolean, message: string, field: string | null = null) => {
    const full: SmtpCheckStep = { step, ok, ms: Math.round(performance.now() - started), message, field: ok ? null : field === null ? null : `smtp.${field}` };
    steps.push(full);
    listener?.(full);
    started = performance.now();
    return ok;
  };
  const failure = (error: unknown) => describeSmtpError(error, settings);

  try {
    await probeTcp(settings.host, settings.port, extras.timeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS);
    report('tcp', true, `connected to ${where}`);
  } catch (error) {
    const f = failure(error);
    report('tcp', false, f.response, f.field ?? 'host');
    return { ok: false, steps };
  }

  const options = transportOptions(settings, extras);
  const connection = new SMTPConnection(options);
  // nodemailer reports a failed connect (TLS included) only as an 'error' event, not to the callback;
  // an 'end' before the answer is a server that hung up.
  const settled = <T>(start: (done: (err: Error | null) => void) => T) =>
    new Promise<Error | null>((resolve) => {
      const onError = (err: Error) => finish(err);
      const onEnd = () => finish(new Error('the server closed the connection'));
      const finish = (err: Error | null) => {
        connection.off('error', onError);
        connection.off('end', onEnd);
        resolve(err);
      };
      connection.once('error', onError);
      connection.once('end', onEnd);
      start((err) => finish(err ?? null));
    });
  connection.on('error', () => undefined);
  try {
    const connected = await settled((done) => connection.connect((err) => done(err ?? null)));
    if (connected) {
      const f = failure(connected);
      if (f.field === 'tls' || f.field === 'allowInvalidCertificate') {
        // With STARTTLS the greeting came first; with TLS nothing was said before the handshake.
        if (settings.tls === 'starttls') report('greeting', true, `${where} greeted and offered STARTTLS`);
        report('tls', false, f.response, f.field);
      } else {
        const hint = settings.tls !== 'tls' && /timed? ?out|greeting/i.test(connected.message) ? '; if this is the TLS port (465), choose TLS' : '';
        report('greeting', false, `${f.response}${hint}`, f.field ?? 'port');
      }
      return { ok: false, steps };
    }
    const socket = (connection as unknown as { _socket: Socket })._socket;
    // The last answer is EHLO's list of extensions; its first line names the server.
    const hello = connection.lastServerResponse ? String(connection.lastServerResponse).split(/\r?\n/)[0]!.replace(/^250[- ]/, '').slice(0, 200) : '';
    const greeting = `${where} greeted${hello ? `: ${hello}` : ''}`;
    if (settings.tls === 'tls') report('tls', true, tlsWords(socket, settings.allowInvalidCertificate));
    report('greeting', true, greeting);
    if (settings.tls === 'starttls') report('tls', true, `STARTTLS: ${tlsWords(socket, settings.allowInvalidCertificate)}`);
    if (settings.tls === 'none') report('tls', true, 'no TLS (chosen): the password and the mail cross the network readable; use this only on a trusted network');

    if (!settings.user) {
      report('auth', true, 'no user is set: the server must take mail from this host without a login');
      return { ok: steps.every((s) => s.ok), steps };
    }
    const loggedIn = await settled((done) => connection.login({ user: settings.user!, pass: settings.password }, (err) => done(err ?? null)));
    if (loggedIn) {
      const f = failure(loggedIn);
      report('auth', false, f.response, f.field ?? 'password');
      return { ok: false, steps };
    }
    report('auth', true, `logged in as ${settings.user}`);
    return { ok: true, steps };
  } catch (error) {
    const f = failure(error);
    report('greeting', false, f.response, f.field ?? 'host');
    return { ok: false, steps };
  } finally {
    // Closed, not QUIT: after a failed step the server may never answer one, and a check must end.
    connection.close();
  }
}

function tlsWords(socket: Socket, anyCertificate: boolean): string {
  const tls = socket as TLSSocket;
  const protocol = typeof tls.getProtocol === 'function' ? tls.getProtocol() : null;
  const cipher = typeof tls.getCipher === 'function' ? tls.getCipher()?.name : null;
  const certificate = anyCertificate ? 'certificate NOT checked (an invalid one is allowed)' : 'certificate checked';
  return `encrypted (${[protocol, cipher].filter(Boolean).join(', ') || 'TLS'}), ${certificate}`;
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`connection timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      // As nodemailer reports it, so that one describer says it in words.
      reject(Object.assign(new Error(`${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`.trim()), { code: 'ECONNECTION' }));
    });
  });
}
