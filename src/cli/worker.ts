// `mailbind worker` and `mailbind serve`: poll every mailbox on its schedule and process the inbox
// until SIGINT/SIGTERM. Several workers may run against one PostgreSQL database.
import { Command } from 'commander';
import pino, { type Logger } from 'pino';
import { runProcessingLoop } from '../engine/loop.js';
import { Processor } from '../engine/process.js';
import { defaultSources } from '../sources/registry.js';
import { Scheduler } from '../sources/scheduler.js';
import type { Store } from '../store/database.js';
import { SecretBox } from '../store/secrets.js';
import { action, common, withStore, type CommonOptions } from './context.js';

export async function runService(store: Store, logger: Logger, signal: AbortSignal): Promise<void> {
  const processor = new Processor(store, { logger });
  const scheduler = new Scheduler({
    store,
    secrets: SecretBox.forDataDir(store.dataDir),
    sources: defaultSources,
    logger,
    afterIntake: async (profile) => void (await processor.processDue({ profileId: profile.id })),
  });
  await scheduler.start();
  try {
    await runProcessingLoop(store, { signal, logger });
  } finally {
    await scheduler.stop();
  }
}

export function untilSignal(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  return controller.signal;
}

export function workerCommand(): Command {
  return common(new Command('worker').description('poll every mailbox profile and process the inbox until stopped'), { json: false })
    .action(
      action(async (opts: CommonOptions) =>
        withStore(opts, async (store) => {
          const logger = pino({ name: 'mailbind-worker' });
          logger.info({ dataDir: store.dataDir, database: store.location }, 'worker started');
          await runService(store, logger, untilSignal());
          logger.info('worker stopped');
        }),
      ),
    );
}
