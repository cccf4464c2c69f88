// The processing loop a service or worker runs: process what is due, then wait a little. Items that
// failed wait for their backoff; a crashed worker's items come back when their lease expires.
import type { Logger } from 'pino';
import type { Processor } from './process.js';

export async function runProcessingLoop(
  processor: Processor,
  options: { signal: AbortSignal; idleMs?: number; logger?: Logger },
): Promise<void> {
  while (!options.signal.aborted) {
    let processed = 0;
    try {
      processed = (await processor.processDue({ limit: 100, signal: options.signal })).length;
    } catch (error) {
      options.logger?.error({ err: (error as Error).message }, 'processing pass failed');
    }
    if (processed === 0) await sleep(options.idleMs ?? 1000, options.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
