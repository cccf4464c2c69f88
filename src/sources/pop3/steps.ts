// Check Connection for POP3: runs a real session step by step (tcp, tls, greeting, capabilities, auth,
// stat), reports each with its duration and a plain-words message, then QUITs without changing anything.
// It never throws: the result says which step failed and why.
import { Pop3Client, type Pop3Stat } from './client.js';
import { Pop3Error } from './errors.js';
import { describePop3Error } from './describe.js';
import type { Pop3Options } from './options.js';
import { openSession, timedStep, type StepObserver, type StepReport } from './session.js';

export type { StepName, StepReport } from './session.js';

export interface CheckResult {
  ok: boolean;
  steps: StepReport[];
  /** Set when the check got as far as STAT. */
  stat?: Pop3Stat;
  capabilities?: readonly string[];
  /** The failure, when ok is false. */
  error?: Pop3Error;
  /** Plain-words summary: the failing step's message, or "mailbox reachable: …". */
  message: string;
}

/** Runs the checks; `onStep` hears each step as it finishes (for live progress in the UI). */
export async function connectSteps(opts: Pop3Options, onStep?: StepObserver): Promise<CheckResult> {
  const steps: StepReport[] = [];
  const observe: StepObserver = (report) => {
    steps.push(report);
    onStep?.(report);
  };
  let client: Pop3Client | undefined;
  try {
    client = Pop3Client.fromSession(await openSession(opts, observe));
    const c = client;
    const stat = await timedStep(observe, 'stat', opts, () => c.stat(),
      (s) => `${s.count} message${s.count === 1 ? '' : 's'}, ${formatBytes(s.size)}`);
    await client.quit().catch(() => undefined); // the check passed; a failing QUIT changes nothing here
    return { ok: true, steps, stat, capabilities: client.capabilities, message: `mailbox reachable: ${steps.at(-1)!.message}` };
  } catch (err) {
    client?.close();
    const error = err instanceof Pop3Error ? err : new Pop3Error('command', String((err as Error)?.message ?? err), { cause: err });
    // Option errors (TypeError) fail before any step ran.
    const message = steps.find((s) => !s.ok)?.message ?? describePop3Error(error, opts);
    return { ok: false, steps, error, message };
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
