// Storing the new messages of one poll, in UID order. The order matters: processing takes inbox items in
// insertion order, and a reply must not be processed before the message it answers. Round trips are
// still overlapped with the disk: messages that fit in one download window are fetched a few ahead into
// memory (at most `lookahead` windows), while the current one is being fsynced and inserted. Larger
// messages stream straight to disk, one at a time.
import type { PollContext } from '../source.js';
import { ImapSourceError } from './errors.js';
import type { ListedMessage } from './listing.js';
import type { ImapSession } from './session.js';
import { readSmallMessage, storeBytes, storeMessage, type StoreResult } from './store-message.js';

export interface DownloadResult {
  stored: number;
  failed: Array<{ key: string; error: string }>;
  /** Failed or vanished UIDs: the cursor must stay below them. */
  unsettled: number[];
}

export interface DownloadOptions {
  chunkBytes: number;
  lookahead: number;
  /** Called after every `batchMessages` messages with the last UID handled and the UIDs unsettled so far. */
  afterBatch?: (lastUid: number, unsettled: number[]) => Promise<void>;
  batchMessages?: number;
}

type Settled<T> = { value: T } | { error: unknown };

export async function downloadAll(session: ImapSession, ctx: PollContext, messages: ListedMessage[],
  keyOf: (m: ListedMessage) => string, options: DownloadOptions): Promise<DownloadResult> {
  const result: DownloadResult = { stored: 0, failed: [], unsettled: [] };
  const { chunkBytes, lookahead } = options;
  let sinceBatch = 0;
  const small = (m: ListedMessage) => m.size <= chunkBytes && m.size <= ctx.settings.maxMessageBytes;
  const prefetched = new Map<number, Promise<Settled<Buffer | null>>>();
  let planned = 0;
  const prefetchUpTo = (index: number) => {
    if (lookahead <= 0) return;
    for (; planned < messages.length && planned <= index + lookahead; planned++) {
      const m = messages[planned]!;
      if (small(m)) prefetched.set(m.uid, settle(readSmallMessage(session, m, chunkBytes)));
    }
  };

  try {
    for (let i = 0; i < messages.length && !ctx.signal?.aborted; i++) {
      prefetchUpTo(i);
      const message = messages[i]!;
      const key = keyOf(message);
      try {
        const outcome = await storeOne(session, ctx, message, key, chunkBytes, prefetched);
        if (outcome === 'stored') result.stored++;
        if (outcome === 'gone') result.unsettled.push(message.uid); // listed again next time; if really gone, it won't be
      } catch (err) {
        // One bad message does not stop the rest, but a lost connection does: nothing more can succeed.
        if (!session.usable || ctx.signal?.aborted) {
          // A prefetch that timed out closed the connection under this message: report the timeout.
          const settled = await Promise.all(prefetched.values());
          const timeout = [err, ...settled.map((s) => ('error' in s ? s.error : undefined))].find(isTimeout);
          throw lostConnection(timeout ?? err, message.uid);
        }
        result.failed.push({ key, error: (err as Error).message });
        result.unsettled.push(message.uid);
        ctx.logger?.warn({ key, err: (err as Error).message }, 'IMAP download failed; retried on the next poll');
      }
      if (options.afterBatch && ++sinceBatch >= (options.batchMessages ?? 20) && i + 1 < messages.length) {
        sinceBatch = 0;
        await options.afterBatch(message.uid, [...result.unsettled]);
      }
    }
  } finally {
    // Prefetches only fill memory, but none may outlive the poll; on a dead connection they end at once.
    await Promise.all(prefetched.values());
  }
  return result;
}

async function storeOne(session: ImapSession, ctx: PollContext, message: ListedMessage, key: string, chunkBytes: number,
  prefetched: Map<number, Promise<Settled<Buffer | null>>>): Promise<StoreResult> {
  const early = prefetched.get(message.uid);
  if (!early) return storeMessage(session, ctx, message, key, chunkBytes);
  prefetched.delete(message.uid);
  const read = await early;
  if ('error' in read) throw read.error;
  return read.value === null ? 'gone' : storeBytes(ctx, read.value, key);
}

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then((value) => ({ value }), (error: unknown) => ({ error }));
}

function isTimeout(err: unknown): boolean {
  return err instanceof ImapSourceError && err.step === 'timeout';
}

function lostConnection(err: unknown, uid: number): Error {
  if (isTimeout(err) || (err instanceof ImapSourceError && /^the connection was lost/.test(err.message))) return err as Error;
  const message = (err as Error)?.message ?? String(err);
  return new ImapSourceError('command', `the connection was lost while downloading UID ${uid}: ${message}`, { cause: err });
}
