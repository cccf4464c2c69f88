// Processing given messages now, for a command that reports their outcomes (deliver, import, messages
// retry, reprocess): a reply put off because its original is being processed elsewhere
// (engine/process.ts) is tried again once due, for at most a claim's lease, so that the command says
// where the reply went instead of leaving it pending for a service that is not running. With a service
// running there is no waiting here: the service takes the reply when it is due.
import { setTimeout as delay } from 'node:timers/promises';
// Types only: deliver imports this, and with a service running it must load no engine (test/cli/startup).
import type { Processor, ProcessResult } from '../engine/process.js';
import type { Db } from '../store/database.js';
import { CLAIM_LEASE_MS, WAIT_FOR_ORIGINAL_MS } from '../store/inbox.js';
import { anyLiveService } from '../store/services.js';

/** A message the command is about to wait for: put off, its original being processed elsewhere. */
export interface WaitNotice {
  itemId: number;
  /** Why it was put off, as its reason says ("waiting for message 41, the one it replies to, …"). */
  reason: string;
  /** How long the command waits for it at most. */
  upToMs: number;
}

export interface ProcessNowOptions {
  /** Told once of each message the command waits for, before it waits: a command says so, not sits silent. */
  onWait?: (notice: WaitNotice) => void;
}

export async function processNow(db: Db, processor: Processor, ids: number[], options: ProcessNowOptions = {}): Promise<ProcessResult[]> {
  const results = await processor.processDue({ ids });
  const deadline = Date.now() + CLAIM_LEASE_MS;
  let waiting = results.filter((r) => r.waiting);
  const told = new Set<number>();
  while (waiting.length > 0 && Date.now() + WAIT_FOR_ORIGINAL_MS <= deadline && !(await anyLiveService(db))) {
    for (const r of waiting.filter((w) => !told.has(w.itemId))) {
      told.add(r.itemId);
      options.onWait?.({ itemId: r.itemId, reason: r.reason ?? 'put off', upToMs: deadline - Date.now() });
    }
    await delay(WAIT_FOR_ORIGINAL_MS); // when a put-off message is due again
    const again = new Map((await processor.processDue({ ids: waiting.map((r) => r.itemId) })).map((r) => [r.itemId, r]));
    // One taken by another process meanwhile keeps its put-off result here: that process reports it.
    results.forEach((r, i) => again.has(r.itemId) && (results[i] = again.get(r.itemId)!));
    waiting = [...again.values()].filter((r) => r.waiting);
  }
  return results;
}
