// `mailbind serve` (what `npm start` runs): the service on the embedded default: mailbox polling and
// inbox processing. (The HTTP API and web UI join it in a later issue.)
import { Command } from 'commander';
import pino from 'pino';
import { action, common, withStore, type CommonOptions } from './context.js';
import { runService, untilSignal } from './worker.js';

export function serveCommand(): Command {
  return common(new Command('serve').description('run the service: poll mailboxes and process the inbox'), { json: false })
    .action(
      action(async (opts: CommonOptions) =>
        withStore(opts, async (store) => {
          const logger = pino({ name: 'mailbind' });
          logger.info({ dataDir: store.dataDir, database: store.location }, `mailbind is running; data in ${store.dataDir}`);
          await runService(store, logger, untilSignal());
          logger.info('stopped');
        }),
      ),
    );
}
