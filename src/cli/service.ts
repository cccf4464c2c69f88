// `mailbind serve` (what `npm start` runs): the HTTP API with intake and processing in one process;
// `mailbind worker`: intake and processing only, no HTTP. Several workers may run against one
// PostgreSQL database. The first SIGINT/SIGTERM stops gracefully (within 10 s); a second exits at once.
import { Command } from 'commander';
import { userError } from '../app/errors.js';
import { action, appOptions, withApp, type Opts } from './context.js';

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

async function newLogger(name: string) {
  const { serviceLogger } = await import('../app/logger.js');
  return serviceLogger(name);
}

export const serveCommand = () =>
  new Command('serve')
    .description('run the service: the HTTP API and web UI, polling every mailbox and processing the inbox')
    .option('--host <host>', 'address to listen on (default: $MAILBIND_HOST or 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default: $MAILBIND_PORT or 8080)')
    .action(
      action(async (opts: Opts) => {
        const host = (opts.host as string | undefined) ?? process.env.MAILBIND_HOST ?? '127.0.0.1';
        const listenPort = port((opts.port as string | undefined) ?? process.env.MAILBIND_PORT ?? '8080');
        const [{ serveDataDir }, logger] = await Promise.all([import('../server/serve.js'), newLogger('mailbind')]);
        const signal = untilSignal(() => logger.error(`did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting`));
        await serveDataDir(await appOptions(opts, 'write'), logger, {
          host,
          port: listenPort,
          signal,
          onListening: (url, app) => logger.info({ url, dataDir: app.store.dataDir, database: app.store.location }, `mailbind is running at ${url}; data in ${app.store.dataDir}`),
        });
        logger.info('stopped');
      }),
    );

export const workerCommand = () =>
  new Command('worker').description('poll every mailbox profile and process the inbox until stopped (no HTTP)').action(
    action(async (opts: Opts) => {
      const [{ runService }, logger] = await Promise.all([import('../app/service.js'), newLogger('mailbind-worker')]);
      const signal = untilSignal(() => logger.error(`did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting`));
      await withApp(opts, 'write', async (app) => {
        const where = { dataDir: app.store.dataDir, database: app.store.location };
        await runService(app, logger, { kind: 'worker', signal, onReady: () => logger.info(where, 'worker started') });
        logger.info('worker stopped');
      });
    }),
  );
