// `mailbind serve` (what `npm start` runs) and `mailbind worker`: poll every mailbox on its schedule
// and process the inbox until SIGINT/SIGTERM, through one service runner (app/service.ts). Several
// workers may run against one PostgreSQL database. (serve gains the HTTP API in a later issue.)
import { Command } from 'commander';
import { action, withApp, type Opts } from './context.js';

function untilSignal(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  return controller.signal;
}

function serviceCommand(name: 'serve' | 'worker', description: string): Command {
  return new Command(name).description(description).action(
    action(async (opts: Opts) => {
      const [{ runService }, { default: pino }] = await Promise.all([import('../app/service.js'), import('pino')]);
      const logger = pino({ name: name === 'serve' ? 'mailbind' : 'mailbind-worker', level: process.env.MAILBIND_DEBUG ? 'debug' : 'info' });
      await withApp(opts, 'write', async (app) => {
        const where = { dataDir: app.store.dataDir, database: app.store.location };
        const onReady = () => logger.info(where, name === 'serve' ? `mailbind is running; data in ${app.store.dataDir}` : 'worker started');
        await runService(app, logger, { kind: name, signal: untilSignal(), onReady });
        logger.info(name === 'serve' ? 'stopped' : 'worker stopped');
      });
    }),
  );
}

export const serveCommand = () => serviceCommand('serve', 'run the service: poll mailboxes and process the inbox');
export const workerCommand = () => serviceCommand('worker', 'poll every mailbox profile and process the inbox until stopped');
