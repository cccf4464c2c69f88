// The loops a service or worker runs: do what is due, then wait a little when nothing was. Processing
// (items that failed wait for their backoff; a crashed worker's items come back when their lease
// expires) and sending the outbox are two such loops.
import type { Logger } from 'pino';
import type { Processor } from './process.js';

export interface LoopOptions {
  signal: AbortSignal;
  idleMs?: number;
  logger?: Logger;
}

/** Runs `pass` until aborted; `pass` answers how much it did, and a pass that did nothing is followed by a wait. */
export async function runDueLoop(what: string, pass: (signal: AbortSignal) => Promise<number>, options: LoopOptions): Promise<void> {
  while (!options.signal.aborted) {
    let done = 0;
    try {
      done = await pass(options.signal);
    } catch (error) {
      options.logger?.error({ err: (error as Error).message }, `${what} pass failed`);
    }
    if (done === 0) await sleep(options.idleMs ?? 1000, options.signal);
  }
}

export function runProcessingLoop(processor: Processor, options: LoopOptions): Promise<void> {
  return runDueLoop('processing', async (signal) => (await processor.processDue({ limit: 100, signal })).length, options);
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
