// Check Connection: every step from DNS to the folder, each with its time and, on failure, a human
// message and the setting to fix. Works on unsaved settings; never changes anything on the server.
import { lookup } from 'node:dns/promises';
import { connectSteps as pop3Steps, type StepReport as Pop3Step } from './pop3/index.js';
import type { ConnectionExtras } from './connection-extras.js';
import { pop3Options } from './pop3/source.js';
import { imapCheckSteps } from './imap/index.js';
import { imapOptions } from './registry.js';
import type { PolledProtocol, ResolvedSettings } from './settings.js';

export interface CheckStep {
  step: string;
  ok: boolean;
  ms: number;
  message: string;
  /**
   * The setting to fix when this step failed: host, port, tls, allowInvalidCertificate, login, password,
   * folder; `oauth` for an OAuth2 mailbox's sign-in (sign in again, the app's client ID, secret or scopes).
   */
  field: string | null;
}

export interface CheckResult {
  ok: boolean;
  steps: CheckStep[];
}

export type StepListener = (step: CheckStep) => void;

/**
 * What an OAuth2 mailbox's `token` step found: the settings to log in with (access token filled in), or
 * null when there is no token to try (not signed in, the refresh was refused): then no connection step runs.
 */
export interface TokenOutcome {
  ok: boolean;
  message: string;
  settings: ResolvedSettings | null;
}

/** A protocol's steps after DNS. */
type ProtocolCheck = (
  settings: ResolvedSettings,
  extras: ConnectionExtras,
  onStep: (step: Omit<CheckStep, 'field'>) => void,
) => Promise<void>;

const protocolChecks: Record<PolledProtocol, ProtocolCheck> = {
  pop3: async (settings, extras, onStep) => {
    await pop3Steps(pop3Options(settings, extras), (report: Pop3Step) =>
      onStep({ step: report.step === 'stat' ? 'folder' : report.step, ok: report.ok, ms: report.ms, message: report.message }),
    );
  },
  imap: async (settings, extras, onStep) => {
    await imapCheckSteps(settings, imapOptions(extras), (step) => onStep({ step: step.step, ok: step.ok, ms: step.ms, message: step.message }));
  },
};

/** `token`: for an OAuth2 mailbox, the step that gets the access token the connection steps log in with. */
export async function checkConnection(
  settings: ResolvedSettings,
  extras: ConnectionExtras = {},
  listener?: StepListener,
  token?: () => Promise<TokenOutcome>,
): Promise<CheckResult> {
  const steps: CheckStep[] = [];
  const push = (step: Omit<CheckStep, 'field'>) => {
    const full: CheckStep = { ...step, field: step.ok ? null : fieldFor(step.step, step.message, token !== undefined) };
    steps.push(full);
    listener?.(full);
  };
  if (settings.protocol === 'pipe') {
    push({ step: 'settings', ok: true, ms: 0, message: 'a pipe profile receives mail from `mailbind deliver`; there is no server to connect to' });
    return { ok: true, steps };
  }
  let connectWith = settings;
  if (token) {
    const began = performance.now();
    let outcome: TokenOutcome;
    try {
      outcome = await token();
    } catch (error) {
      outcome = { ok: false, message: (error as Error).message, settings: null };
    }
    push({ step: 'token', ok: outcome.ok, ms: elapsed(began), message: outcome.message });
    if (!outcome.settings) return { ok: false, steps };
    connectWith = outcome.settings;
  }
  return connectionSteps(connectWith, extras, steps, push);
}

/** DNS, then the protocol's steps. */
async function connectionSteps(
  settings: ResolvedSettings,
  extras: ConnectionExtras,
  steps: CheckStep[],
  push: (step: Omit<CheckStep, 'field'>) => void,
): Promise<CheckResult> {
  if (settings.protocol === 'pipe') return { ok: steps.every((s) => s.ok), steps };
  const started = performance.now();
  try {
    const { address } = await lookup(settings.host);
    push({ step: 'dns', ok: true, ms: elapsed(started), message: `${settings.host} is ${address}` });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    push({
      step: 'dns',
      ok: false,
      ms: elapsed(started),
      message: code === 'ENOTFOUND' ? `the host name '${settings.host}' does not exist (DNS)` : `cannot resolve '${settings.host}': ${code ?? (error as Error).message}`,
    });
    return { ok: false, steps };
  }
  const check = protocolChecks[settings.protocol];
  try {
    await check(settings, extras, push);
  } catch (error) {
    push({ step: 'unexpected', ok: false, ms: 0, message: (error as Error).message });
  }
  return { ok: steps.every((s) => s.ok), steps };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** Which setting a failure points at; `oauth2`: the mailbox logs in with a token, not a password. */
export function fieldFor(step: string, message: string, oauth2 = false): string {
  switch (step) {
    case 'token':
      return 'oauth';
    case 'dns':
      return 'host';
    case 'tcp':
      return /refused|port/i.test(message) ? 'port' : 'host';
    case 'tls':
      return /certificate|self-signed|expired|host name|hostname|altname/i.test(message) ? 'allowInvalidCertificate' : 'tls';
    case 'greeting':
      return /tls|ssl/i.test(message) ? 'tls' : 'port';
    case 'capabilities':
      return 'tls';
    case 'auth':
      if (/tls|plaintext|disabled|secure/i.test(message)) return 'tls';
      return oauth2 ? 'oauth' : 'password';
    case 'folder':
      return 'folder';
    default:
      return 'protocol';
  }
}
