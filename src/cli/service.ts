// `mailbind serve` (what `npm start` runs): the HTTP API with intake and processing in one process;
// `mailbind worker`: intake and processing only, no HTTP. Several workers may run against one
// PostgreSQL database, and each may process in several lanes (--concurrency, PostgreSQL only). The first
// SIGINT/SIGTERM stops gracefully (within 10 s); a second exits at once.
import { Command } from 'commander';
import type { AppOptions } from '../app/app.js';
import { checkLanes, concurrencyOf, poolSizeFor } from '../app/concurrency.js';
import { userError } from '../app/errors.js';
import { action, appOptions, type Opts } from './context.js';

/** How long a graceful stop may take before the process exits anyway. */
const STOP_DEADLINE_MS = 10_000;

function untilSignal(onForced: () => void): AbortSignal {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`mailbind: ${signal} again; exiting now\n`);
      process.exit(130);
    }
    controller.abort();
    setTimeout(() => {
      onForced();
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return controller.signal;
}

function port(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 0 || Number(text) > 65535) throw userError(`--port must be a port number (0-65535), got '${text}'`);
  return Number(text);
}

const CONCURRENCY_HELP = 'processing lanes in this process (default: $MAILBIND_CONCURRENCY or 1; more than 1 needs PostgreSQL)';

/** The app options of a service with its lanes, checked before anything opens: a pool that fits them. */
async function serviceOptions(opts: Opts): Promise<{ app: AppOptions; lanes: number; setting: string }> {
  const { lanes, setting } = concurrencyOf(opts.concurrency as string | undefined);
  const app = await appOptions(opts, 'write');
  checkLanes(lanes, app.databaseUrl ? 'postgres' : 'sqlite', setting);
  return { app: { ...app, poolSize: poolSizeFor(lanes) }, lanes, setting };
}

async function newLogger(name: string) {
  const { serviceLogger } = await import('../app/logger.js');
  return serviceLogger(name);
}

export const serveCommand = () =>
  new Command('serve')
    .description('run the service: the HTTP API and web UI, polling every mailbox and processing the inbox')
    .option('--host <host>', 'address to listen on (default: $MAILBIND_HOST or 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default: $MAILBIND_PORT or 8080)')
    .option('--concurrency <n>', CONCURRENCY_HELP)
    .action(
      action(async (opts: Opts) => {
        const host = (opts.host as string | undefined) ?? process.env.MAILBIND_HOST ?? '127.0.0.1';
        const listenPort = port((opts.port as string | undefined) ?? process.env.MAILBIND_PORT ?? '8080');
        const service = await serviceOptions(opts);
        const [{ serveDataDir }, logger] = await Promise.all([import('../server/serve.js'), newLogger('mailbind')]);
        const signal = untilSignal(() => logger.error(`did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting`));
        await serveDataDir(service.app, logger, {
          host,
          port: listenPort,
          signal,
          concurrency: service.lanes,
          concurrencySetting: service.setting,
          onListening: (url, app) => logger.info({ url, dataDir: app.store.dataDir, database: app.store.location }, `mailbind is running at ${url}; data in ${app.store.dataDir}`),
        });
        logger.info('stopped');
      }),
    );

export const workerCommand = () =>
  new Command('worker')
    .description('poll every mailbox profile and process the inbox until stopped (no HTTP)')
    .option('--concurrency <n>', CONCURRENCY_HELP)
    .action(
      action(async (opts: Opts) => {
        const service = await serviceOptions(opts);
        const [{ runService }, { withApp }, logger] = await Promise.all([import('../app/service.js'), import('../app/app.js'), newLogger('mailbind-worker')]);
        const signal = untilSignal(() => logger.error(`did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting`));
        await withApp(service.app, async (app) => {
          const where = { dataDir: app.store.dataDir, database: app.store.location, lanes: service.lanes };
          await runService(app, logger, {
            kind: 'worker', signal, concurrency: service.lanes, concurrencySetting: service.setting, onReady: () => logger.info(where, 'worker started'),
          });
          logger.info('worker stopped');
        });
      }),
    );
