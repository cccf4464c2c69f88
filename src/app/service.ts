// The running service, shared by `serve` and `worker`: one processor turns stored mail into work,
// both right after each poll and in the loop that picks up retries and mail from other processes.
import type { Logger } from 'pino';
import { runProcessingLoop } from '../engine/loop.js';
import { defaultSources } from '../sources/registry.js';
import { Scheduler } from '../sources/scheduler.js';
import type { App } from './app.js';

export async function runService(app: App, logger: Logger, signal: AbortSignal): Promise<void> {
  const processor = app.processor(logger);
  const scheduler = new Scheduler({
    store: app.store,
    secrets: app.secrets(),
    sources: defaultSources,
    logger,
    afterIntake: async (profile) => void (await processor.processDue({ profileId: profile.id })),
  });
  await scheduler.start();
  try {
    await runProcessingLoop(processor, { signal, logger });
  } finally {
    await scheduler.stop();
  }
}
