// The running service, shared by `serve` and `worker`: one processor turns stored mail into work,
// both right after each poll and in the loop that picks up retries and mail from other processes.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { runProcessingLoop } from '../engine/loop.js';
import { defaultSources } from '../sources/registry.js';
import { Scheduler } from '../sources/scheduler.js';
import { releaseClaims } from '../store/inbox.js';
import { exposedDataPaths } from '../store/permissions.js';
import { beat, HEARTBEAT_MS, pruneDeadServices, registerService, unregisterService } from '../store/services.js';
import type { App } from './app.js';
import { checkLanes } from './concurrency.js';

export interface ServiceOptions {
  kind: 'serve' | 'worker';
  signal: AbortSignal;
  /**
   * Processing lanes (`--concurrency`, app/concurrency.ts): loops each claiming and processing a batch,
   * sharing this service's id. Default 1; more than 1 is refused on SQLite.
   */
  concurrency?: number;
  /** Where the lane count came from (`MAILBIND_CONCURRENCY=2`), for the refusal's message. */
  concurrencySetting?: string;
  /** Called once the service is registered and about to poll and process. */
  onReady?: () => void;
}

export async function runService(app: App, logger: Logger, options: ServiceOptions): Promise<void> {
  const { kind, signal } = options;
  const lanes = options.concurrency ?? 1;
  checkLanes(lanes, app.store.dialect, options.concurrencySetting);
  // Alerts go out from `serve` only: workers may be many (each would send every alert again), and the
  // serve process is the one operators point at. The checks read the database, so they see every
  // worker. Wrong alert settings stop the start, before the service registers.
  const alerts = kind === 'serve' ? await alertMonitor(app, logger) : null;
  warnAboutExposedData(app, logger);
  const id = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  await registerService(app.store.db, { id, kind, host: hostname(), pid: process.pid });
  await pruneDeadServices(app.store.db);
  options.onReady?.();
  // The heartbeat tells `deliver` that someone processes the inbox, and other workers that this one
  // lives (else they take over its mailboxes and messages); a missed beat is only logged.
  const heartbeat = setInterval(() => {
    beat(app.store.db, { id, kind, host: hostname(), pid: process.pid })
      .catch((error) => logger.warn({ err: (error as Error).message }, 'heartbeat failed'));
  }, HEARTBEAT_MS);
  // Stopping: leave the services table at once, not after the last poll has wound down, so that a
  // deliver meanwhile processes its message itself instead of leaving it to a service on its way out.
  let left: Promise<void> | null = null;
  const leave = () =>
    (left ??= (async () => {
      clearInterval(heartbeat);
      await unregisterService(app.store.db, id).catch((error) => logger.warn({ err: (error as Error).message }, 'could not unregister'));
    })());
  signal.addEventListener('abort', () => void leave(), { once: true });
  alerts?.start();
  try {
    await serve(app, logger, signal, id, kind, lanes);
  } finally {
    await alerts?.stop();
    await leave();
  }
}

/** The alert monitor MAILBIND_ALERT_WEBHOOK asks for, not started; null without a webhook. */
async function alertMonitor(app: App, logger: Logger): Promise<{ start(): void; stop(): Promise<void> } | null> {
  const { AlertMonitor, alertOptionsFromEnv } = await import('./alerts.js');
  const options = alertOptionsFromEnv();
  return options ? new AlertMonitor(app, logger, options) : null;
}

async function serve(app: App, logger: Logger, signal: AbortSignal, id: string, kind: ServiceOptions['kind'], lanes: number): Promise<void> {
  // Leases and claims carry the service id: when its heartbeat stops, another worker takes over.
  const processor = await app.processor(logger, id);
  const scheduler = new Scheduler({
    owner: id,
    store: app.store,
    secrets: app.secrets(),
    sources: defaultSources,
    logger,
    // Outcomes are logged and counted as they commit; none is kept for a backlog's whole drain.
    afterIntake: async (profile) => void (await processor.processDue({ profileId: profile.id, signal, onResult: () => {} })),
  });
  // /metrics is served by `serve`; counting starts now, not at the first scrape. Workers serve no HTTP.
  const metrics = kind === 'serve' ? (await import('./metrics.js')).metricsFor(app) : null;
  const releaseIdle = metrics?.countIdleWith(() => scheduler.idleConnections());
  const sender = await app.outboxSender(logger, id);
  const { runOutboxLoop } = await import('../engine/outbox/sender.js');
  await scheduler.start();
  if (lanes > 1) logger.info({ lanes }, `processing in ${lanes} lanes`);
  try {
    // Mail the outcomes queued goes out beside processing: a slow SMTP server never holds up new mail.
    // Each lane claims its own batches (claims are rows with a lease: no lane takes another's).
    const processing = Array.from({ length: lanes }, () => runProcessingLoop(processor, { signal, logger }));
    await Promise.all([...processing, runOutboxLoop(sender, { signal, logger })]);
  } finally {
    await scheduler.stop();
    releaseIdle?.();
  }
  // Nothing of this service processes any more (every lane and the polls' own processing finished the
  // message in hand): what its lanes claimed and did not start on is due again now, not when the claims'
  // lease runs out.
  const given = await releaseClaims(app.store.db, id).catch((error) => {
    logger.warn({ err: (error as Error).message }, 'could not give back unstarted messages; they are due again when their claim runs out');
    return 0;
  });
  if (given > 0) logger.info({ messages: given }, `gave back ${given} claimed message(s) not started on`);
}

/** Said once at start: the data is people's mail, and a data dir others can read is worth fixing. */
function warnAboutExposedData(app: App, logger: Logger): void {
  for (const { path, mode, fix } of exposedDataPaths(app.store)) {
    logger.warn(
      { path, mode: mode.toString(8) },
      `${path} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}) and holds people's mail; run: ${fix}`,
    );
  }
}
