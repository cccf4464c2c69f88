// Readiness (/readyz): may this process take requests now? The database must answer, quickly; a
// service on its way out says so, so that a load balancer sends new work elsewhere while it finishes
// the message in hand. (Migrations run while the store opens, before there is an app to ask: the
// server does not answer until they are done.)
import { pingDatabase } from '../store/observations.js';
import type { App } from './app.js';

export interface ReadyCheck {
  name: string;
  ok: boolean;
  message?: string;
}

export interface Readiness {
  ok: boolean;
  checks: ReadyCheck[];
}

export interface ReadyOptions {
  /** How long the database may take to answer; default 2 000 ms. */
  timeoutMs?: number;
  /** Aborted once the service is shutting down. */
  signal?: AbortSignal;
}

export async function checkReady(app: App, options: ReadyOptions = {}): Promise<Readiness> {
  const checks: ReadyCheck[] = [await databaseCheck(app, options.timeoutMs ?? 2000)];
  if (options.signal) {
    checks.push(options.signal.aborted ? { name: 'service', ok: false, message: 'shutting down' } : { name: 'service', ok: true });
  }
  return { ok: checks.every((c) => c.ok), checks };
}

async function databaseCheck(app: App, timeoutMs: number): Promise<ReadyCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const answer = await Promise.race([pingDatabase(app.store.db).then(() => 'ok' as const), timedOut]);
    if (answer === 'timeout') return { name: 'database', ok: false, message: `the database did not answer within ${timeoutMs} ms` };
    return { name: 'database', ok: true };
  } catch {
    // Not the driver's words: /readyz is anonymous, and they name hosts, ports and users. The service
    // logs its database failures where operators read them.
    return { name: 'database', ok: false, message: 'the database cannot be reached' };
  } finally {
    clearTimeout(timer);
  }
}
