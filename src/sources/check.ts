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
  /** The setting to fix when this step failed: host, port, tls, allowInvalidCertificate, login, password, folder. */
  field: string | null;
}

export interface CheckResult {
  ok: boolean;
  steps: CheckStep[];
}

export type StepListener = (step: CheckStep) => void;

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

export async function checkConnection(
  settings: ResolvedSettings,
  extras: ConnectionExtras = {},
  listener?: StepListener,
): Promise<CheckResult> {
  const steps: CheckStep[] = [];
  const push = (step: Omit<CheckStep, 'field'>) => {
    const full: CheckStep = { ...step, field: step.ok ? null : fieldFor(step.step, step.message) };
    steps.push(full);
    listener?.(full);
  };
  if (settings.protocol === 'pipe') {
    push({ step: 'settings', ok: true, ms: 0, message: 'a pipe profile receives mail from `mailbind deliver`; there is no server to connect to' });
    return { ok: true, steps };
  }
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

/** Which setting a failure points at. */
export function fieldFor(step: string, message: string): string {
  switch (step) {
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
      return /tls|plaintext|disabled|secure/i.test(message) ? 'tls' : 'password';
    case 'folder':
      return 'folder';
    default:
      return 'protocol';
  }
}
