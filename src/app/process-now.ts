// Processing given messages now, for a command that reports their outcomes (deliver, import, messages
// retry, reprocess): a reply put off because another process is recording its original
// (engine/process.ts) is tried again once due, for at most a claim's lease, so that the command says
// where the reply went instead of leaving it pending for a service that may not be running.
import { setTimeout as delay } from 'node:timers/promises';
import { WAIT_FOR_ORIGINAL_MS, type Processor, type ProcessResult } from '../engine/process.js';
import { CLAIM_LEASE_MS } from '../store/inbox.js';

export async function processNow(processor: Processor, ids: number[]): Promise<ProcessResult[]> {
  const results = await processor.processDue({ ids });
  const deadline = Date.now() + CLAIM_LEASE_MS;
  let waiting = results.filter((r) => r.waiting);
  while (waiting.length > 0 && Date.now() + WAIT_FOR_ORIGINAL_MS <= deadline) {
    await delay(WAIT_FOR_ORIGINAL_MS); // when a put-off message is due again
    const again = new Map((await processor.processDue({ ids: waiting.map((r) => r.itemId) })).map((r) => [r.itemId, r]));
    // One taken by another worker meanwhile keeps its put-off result here: that worker reports it.
    results.forEach((r, i) => again.has(r.itemId) && (results[i] = again.get(r.itemId)!));
    waiting = [...again.values()].filter((r) => r.waiting);
  }
  return results;
}
