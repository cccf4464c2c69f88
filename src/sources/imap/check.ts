// Check Connection for IMAP: tcp, tls (TLS and STARTTLS), greeting, capabilities, auth, folder, each
// reported with its duration and a plain-words message, stopping at the first failure. The first steps
// run on a bare socket (probe.ts) so that each can fail on its own; login and folder then use imapflow
// with exactly the options poll() uses, so a passing check means polling can connect. Never throws.
import type { ResolvedSettings } from '../settings.js';
import { describeImapError, describeTlsError, formatMs } from './errors.js';
import { endpoint, timeoutsOf, type ImapSourceOptions } from './options.js';
import { command, connectTcp, describeTls, LineReader, ProbeTimeout, startTls } from './probe.js';
import { connectClient } from './session.js';
import { watchdog } from './deadline.js';

export type CheckStepName = 'tcp' | 'tls' | 'greeting' | 'capabilities' | 'auth' | 'folder';

export interface CheckStep {
  step: CheckStepName;
  ok: boolean;
  ms: number;
  message: string;
}

export interface ImapCheckResult {
  ok: boolean;
  steps: CheckStep[];
  /** The failing step's message, or a one-line summary when everything passed. */
  message: string;
  capabilities?: string[];
  /** Messages in the folder, when the check got that far. */
  messages?: number;
}

class StepFailure extends Error {}

export async function imapCheckSteps(settings: ResolvedSettings, options: ImapSourceOptions = {},
  onStep?: (step: CheckStep) => void): Promise<ImapCheckResult> {
  const steps: CheckStep[] = [];
  const where = endpoint(settings);
  const result: Omit<ImapCheckResult, 'ok' | 'message'> = { steps };
  const step = async <T>(name: CheckStepName, work: () => Promise<T>, success: (value: T) => string,
    failure: (err: unknown) => string): Promise<T> => {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    try {
      const value = await work();
      report({ step: name, ok: true, ms: ms(), message: success(value) });
      return value;
    } catch (err) {
      report({ step: name, ok: false, ms: ms(), message: err instanceof StepFailure ? err.message : failure(err) });
      throw new StepFailure();
    }
  };
  const report = (s: CheckStep) => {
    steps.push(s);
    onStep?.(s);
  };

  let reader: LineReader | undefined;
  try {
    const { connectMs, commandMs } = timeoutsOf(options);
    const tlsOptions = options.tlsOptions ?? {};
    const servername = tlsOptions.servername;
    const timeoutText = (what: string, ms: number) => `${where} did not answer within ${formatMs(ms)} while ${what}`;
    const failed = (err: unknown, ms: number) => err instanceof ProbeTimeout
      ? timeoutText(err.what, ms)
      : describeTlsError(err as object, settings, servername) ?? describeImapError(err, settings, { ...(servername ? { servername } : {}) });

    let socket = await step('tcp', () => connectTcp(settings.host, settings.port, tlsOptions.localAddress, connectMs),
      (s) => `connected to ${where}${tlsOptions.localAddress ? ` from ${s.localAddress}` : ''}`,
      (err) => err instanceof ProbeTimeout ? `${where} could not be reached within ${formatMs(connectMs)} (connection timed out)` : failed(err, connectMs));

    if (settings.tls === 'tls') {
      socket = await step('tls', async () => startTls(socket, settings.host, tlsOptions, settings.allowInvalidCertificate, connectMs),
        (t) => describeTls(t.report), (err) => failed(err, connectMs)).then((t) => t.socket);
    }
    reader = new LineReader(socket);
    const r0 = reader;
    await step('greeting', async () => {
      const line = await r0.readLine(connectMs, 'waiting for the greeting').catch((err: unknown) => {
        if (err instanceof ProbeTimeout) {
          const hint = settings.tls === 'tls' ? '' : '; if this is the TLS port (993), choose TLS instead';
          throw new StepFailure(`${where} accepted the connection but sent no IMAP greeting within ${formatMs(connectMs)}${hint}`);
        }
        throw err;
      });
      if (/^\* BYE/i.test(line)) throw new StepFailure(`the server refused the session: ${line.slice(6)}`);
      if (!/^\* (OK|PREAUTH)/i.test(line)) throw new StepFailure(`${where} is not an IMAP server (it said: ${line.slice(0, 100)})`);
      return line.replace(/^\* (OK|PREAUTH)\s*(\[[^\]]*\]\s*)?/i, '');
    }, (text) => `server says: ${text || '(nothing)'}`, (err) => failed(err, connectMs));

    let caps = await step('capabilities', () => capabilities(r0, 'c1', commandMs),
      (c) => c.join(' '), (err) => failed(err, commandMs));

    if (settings.tls === 'starttls') {
      const upgraded = await step('tls', async () => {
        if (!caps.includes('STARTTLS')) {
          throw new StepFailure(`${where} does not offer STARTTLS; choose TLS (port 993) or, only on a trusted network, no TLS`);
        }
        const answer = await command(r0, 'c2', 'STARTTLS', commandMs);
        if (answer.status !== 'OK') throw new StepFailure(`the server refused STARTTLS: ${answer.text}`);
        r0.release();
        const t = await startTls(socket, settings.host, tlsOptions, settings.allowInvalidCertificate, connectMs);
        const r1 = new LineReader(t.socket);
        // RFC 9051 §6.2.1: forget what was said in clear and ask again.
        return { reader: r1, report: t.report, caps: await capabilities(r1, 'c3', commandMs) };
      }, (u) => `STARTTLS: ${describeTls(u.report)}`, (err) => failed(err, connectMs));
      reader = upgraded.reader;
      caps = upgraded.caps;
    }
    result.capabilities = caps;
    reader.socket.end('c9 LOGOUT\r\n');
    reader = undefined;

    const { client, detach } = await step('auth', async () => {
      if (settings.tls === 'none' && caps.includes('LOGINDISABLED')) {
        throw new StepFailure('the server requires TLS before login (it announces LOGINDISABLED, "Plaintext authentication disallowed"): choose TLS or STARTTLS');
      }
      return connectClient(settings, options);
    }, () => `logged in as ${settings.login}`, (err) => describeImapError(err, settings, { capabilities: caps }));

    try {
      const box = await step('folder',
        () => watchdog(client, commandMs, () => new ProbeTimeout(`opening folder '${settings.folder}'`),
          () => client.mailboxOpen(settings.folder, { readOnly: true })),
        (b) => `folder '${b.path}' has ${b.exists} message${b.exists === 1 ? '' : 's'} (UIDVALIDITY ${b.uidValidity})`,
        (err) => err instanceof ProbeTimeout ? timeoutText(err.what, commandMs) : describeImapError(err, settings));
      result.messages = box.exists;
      await watchdog(client, commandMs, () => new Error('logout timed out'), () => client.logout()).catch(() => client.close());
    } finally {
      detach();
      client.close();
    }
    return { ok: true, ...result, message: `mailbox reachable: ${steps.at(-1)!.message}` };
  } catch (err) {
    reader?.socket.destroy();
    const failedStep = steps.find((s) => !s.ok);
    // Bad options (TypeError) fail before any step ran.
    return { ok: false, ...result, message: failedStep?.message ?? (err as Error).message };
  }
}

async function capabilities(reader: LineReader, tag: string, timeoutMs: number): Promise<string[]> {
  const answer = await command(reader, tag, 'CAPABILITY', timeoutMs);
  if (answer.status !== 'OK') throw new StepFailure(`the server refused CAPABILITY: ${answer.text}`);
  const line = answer.untagged.find((l) => /^\* CAPABILITY /i.test(l)) ?? '';
  return line.replace(/^\* CAPABILITY /i, '').split(/\s+/).filter(Boolean).map((c) => c.toUpperCase());
}
