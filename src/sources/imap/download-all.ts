// Storing the new messages of one poll, in UID order, step by step (batches.ts cuts them). A batch is
// one FETCH into memory and one durability barrier: its blobs synced together, then its inbox rows and
// the cursor advance in one transaction (intakeBatch). A large message streams to disk window by window
// and is stored on its own (store-message.ts). After a step but the last the caller processes what was
// stored (afterBatch), while the next steps download, so a poll that dies later has turned its share
// into work.
//
// A connection lost in the middle of a batch loses nothing that arrived: the whole messages received
// are stored, and the cursor advanced past them, before the error is reported; the others are listed
// again by the next poll. A message the server could not send, or whose blob could not be stored, is
// reported in `failed` and held below the cursor (retried by the next poll); the rest of its batch lands.
// A batch whose messages turn out larger than listed (fetch-batch.ts) stores what came before the first
// of them; that one streams next, and the rest of the batch is planned again after it.
//
// A lost connection ends the poll, and the message it was lost on becomes one of the cursor's suspects
// (cursor.ts): some servers end the connection on a message they cannot read. The next poll downloads
// it alone, in its place; if the connection is lost on it alone as well, later polls download it last,
// after all the other new mail, and a loss then is its own failure (reported in `failed`, held below
// the cursor, tried again by every poll), not the poll's: the mail after it keeps flowing. The next
// suspect downloaded last goes over a new connection (`reopen`); when that connection cannot be made,
// the suspects left are reported as not tried, and the poll keeps what it stored and reported.
import type { Db } from '../../store/database.js';
import { intakeBatch, type BatchResult } from '../intake.js';
import type { PollContext } from '../source.js';
import { ProcessingAlongside } from '../processing-alongside.js';
import { planSteps, type BatchLimits, type Step } from './batches.js';
import type { Suspect } from './cursor.js';
import { ImapSourceError } from './errors.js';
import { emptyBatchBytes, fetchBatch } from './fetch-batch.js';
import type { ListedMessage } from './listing.js';
import type { ImapSession } from './session.js';
import { storeMessage } from './store-message.js';

export interface DownloadResult {
  stored: number;
  failed: Array<{ key: string; error: string }>;
  /** Failed or vanished UIDs: the cursor must stay below them. */
  unsettled: number[];
}

export interface DownloadOptions {
  /** Download window of the streaming path. */
  chunkBytes: number;
  limits: Omit<BatchLimits, 'maxMessageBytes'>;
  /**
   * Records that every listed UID up to `lastUid` is settled except `unsettled` (the cursor); `lastUid`
   * is Infinity for the last step. For a batch it runs inside the transaction that stores the batch's
   * rows (`db` is that transaction). Resolves to what to call once that write is committed.
   */
  advance: (db: Db, lastUid: number, unsettled: readonly number[]) => Promise<() => void>;
  /**
   * Processes what is committed: called after a step but the last once its messages are committed, and
   * runs while the next steps download; one call at a time, and a step committed during a call gets one
   * more call after it, unless the download has ended by then: the caller's own call after the download
   * takes the rest (processing-alongside.ts).
   */
  afterBatch?: () => Promise<void>;
  /** The cursor's suspects (cursor.ts): each downloaded alone, and last from its second loss on. */
  suspects?: readonly Suspect[];
  /** A new session on the same folder, for the next suspect downloaded last after one lost the connection. */
  reopen?: () => Promise<ImapSession>;
}

type KeyOf = (m: ListedMessage) => string;

export async function downloadAll(session: ImapSession, ctx: PollContext, messages: ListedMessage[],
  keyOf: KeyOf, options: DownloadOptions): Promise<DownloadResult> {
  const result: DownloadResult = { stored: 0, failed: [], unsettled: [] };
  const limits = { ...options.limits, maxMessageBytes: ctx.settings.maxMessageBytes };
  const losses = new Map((options.suspects ?? []).map((s) => [s.uid, s.losses]));
  const last = new Set(messages.filter((m) => (losses.get(m.uid) ?? 0) >= 2));
  const steps = planAround(messages, losses, last, limits);
  // Downloaded last, they are not settled before then: no batch's cursor may pass them.
  for (const m of last) result.unsettled.push(m.uid);
  const opened: ImapSession[] = [];
  // Processing what is committed (CPU) runs beside the downloads and durability barriers of the steps
  // after it (mostly waiting on the server and the disk); intake never waits for it (processing-alongside.ts).
  const processing = new ProcessingAlongside(options.afterBatch);
  try {
    while (steps.length) {
      if (ctx.signal?.aborted) break;
      const step = steps.shift()!;
      const lastSuspect = step.kind === 'stream' && last.has(step.message);
      if (!session.usable) {
        // Lost after a step that needed nothing more of it (a batch whose answers had all come): the next
        // step is not to blame. Only between suspects downloaded last is a new connection taken here.
        if (!lastSuspect || !options.reopen) throw new ImapSourceError('command', 'the connection was lost');
        try {
          session = await options.reopen();
        } catch (err) {
          if (ctx.signal?.aborted) throw err;
          // The suspects left are not tried this poll: each is reported with why and stays below the
          // cursor, and the failures of those tried before stay in the report. Failing the poll instead
          // dropped them, though the rest of the mail was stored.
          // They are in `unsettled` already (all held for last are, until their own step).
          for (const left of [step, ...steps]) {
            if (left.kind !== 'stream') continue;
            removeOnce(result.unsettled, left.message.uid);
            fail(ctx, result, left.message, keyOf(left.message), new Error(
              `not tried this poll: connecting again, after the server ended the connection on the message before it, failed: ${(err as Error)?.message ?? String(err)}`,
              { cause: err }));
          }
          (await options.advance(ctx.store.db, Infinity, result.unsettled))();
          break;
        }
        opened.push(session);
      }
      // The last step settles everything listed after it as well (mail already in the inbox or known).
      const upTo = steps.length === 0 ? Infinity : step.kind === 'stream' ? step.message.uid : step.messages.at(-1)!.uid;
      if (step.kind === 'stream') {
        if (lastSuspect) removeOnce(result.unsettled, step.message.uid);
        await streamOne(session, ctx, step.message, keyOf, upTo, options, result, lastSuspect);
      } else {
        const later = await storeBatch(session, ctx, step.messages, keyOf, upTo, options, result);
        // Before the next steps (a batch holds no suspect, so these come before any suspect's step too).
        if (later.length) steps.unshift({ kind: 'stream', message: later[0]! }, ...planSteps(later.slice(1), limits));
      }
      if (steps.length) processing.committed();
    }
    await processing.finished();
  } finally {
    await processing.stopped(); // the intake's own error is the one to report
    await Promise.all(opened.map((s) => s.close()));
  }
  return result;
}

/**
 * The steps in UID order, each suspect alone: in its place after one loss, after all the others (in
 * UID order) from its second.
 */
function planAround(messages: ListedMessage[], losses: ReadonlyMap<number, number>, last: ReadonlySet<ListedMessage>,
  limits: BatchLimits): Step[] {
  const steps: Step[] = [];
  let run: ListedMessage[] = [];
  for (const m of messages) {
    if (last.has(m)) continue;
    if (!losses.has(m.uid)) {
      run.push(m);
      continue;
    }
    steps.push(...planSteps(run, limits), { kind: 'stream', message: m });
    run = [];
  }
  steps.push(...planSteps(run, limits));
  for (const m of last) steps.push({ kind: 'stream', message: m });
  return steps;
}

/** `lastSuspect`: the suspect after all the others (see above); a connection lost on it is its own failure. */
async function streamOne(session: ImapSession, ctx: PollContext, message: ListedMessage, keyOf: KeyOf, upTo: number,
  options: DownloadOptions, result: DownloadResult, lastSuspect = false): Promise<void> {
  const key = keyOf(message);
  try {
    const outcome = await storeMessage(session, ctx, message, key, options.chunkBytes);
    if (outcome === 'stored') result.stored++;
    // Not there, or the connection went while asking: only the first is gone (listed again next time, if not).
    if (outcome === 'gone' && !session.usable) throw new ImapSourceError('command', 'the server ended the connection');
    if (outcome === 'gone') result.unsettled.push(message.uid);
  } catch (err) {
    // One bad message does not stop the rest, but a lost connection does: nothing more can succeed.
    if (ctx.signal?.aborted || (!session.usable && !lastSuspect)) throw lostConnection(err, message.uid);
    fail(ctx, result, message, key, session.usable ? err : lostConnection(err, message.uid));
  }
  (await options.advance(ctx.store.db, upTo, result.unsettled))();
}

/**
 * One batch: fetched, and what arrived stored with one barrier. Returns the messages left for later,
 * in order: from the first one that turned out larger than listed, or that did not come because the
 * batch ran over its byte bound (fetch-batch.ts); empty when the batch is done.
 */
async function storeBatch(session: ImapSession, ctx: PollContext, messages: ListedMessage[], keyOf: KeyOf, upTo: number,
  options: DownloadOptions, result: DownloadResult): Promise<ListedMessage[]> {
  const got = emptyBatchBytes();
  let fetchError: unknown;
  const bounds = { maxBytes: options.limits.maxBytes, wholeBelow: options.limits.streamAbove + 1 };
  await fetchBatch(session, messages, got, bounds).catch((err: unknown) => void (fetchError = err ?? new Error('the download failed')));
  // Shutting down: what arrived is not stored now; the next poll lists it again.
  if (ctx.signal?.aborted) {
    if (fetchError !== undefined) throw fetchError;
    return [];
  }
  const cut = messages.findIndex((m) => got.larger.has(m.uid) || (!got.complete && !got.received.has(m.uid)));
  const now = cut < 0 ? messages : messages.slice(0, cut);
  const later = cut < 0 ? [] : messages.slice(cut);
  const lost = fetchError !== undefined && !session.usable;
  const arrived = now.filter((m) => got.received.has(m.uid));
  const missing = now.filter((m) => !got.received.has(m.uid));
  for (const m of missing) {
    // The server answered but could not send it: a failure of this message. Otherwise it is gone (or
    // the connection is: then it is listed again by the next poll).
    if (fetchError !== undefined && !lost) fail(ctx, result, m, keyOf(m), fetchError);
    else result.unsettled.push(m.uid);
  }
  // Everything listed below the first message left for later is settled now (unsettled aside).
  const settledUpTo = later.length ? later[0]!.uid - 1 : upTo;
  if (arrived.length || !lost) await storeArrived(ctx, arrived, got.received, keyOf, settledUpTo, options, result);
  if (lost && (missing.length || later.length)) throw lostConnection(fetchError, (missing[0] ?? later[0])!.uid);
  return lost ? [] : later;
}

async function storeArrived(ctx: PollContext, arrived: ListedMessage[], received: Map<number, Buffer>, keyOf: KeyOf,
  lastUid: number, options: DownloadOptions, result: DownloadResult): Promise<void> {
  let results: BatchResult[];
  let committed: () => void = () => undefined;
  try {
    results = await intakeBatch(ctx.store, arrived.map((m) => ({ content: received.get(m.uid)!, originKey: keyOf(m) })), {
      profileId: ctx.profile.id,
      maxMessageBytes: ctx.settings.maxMessageBytes,
      acknowledge: true,
      // The cursor moves with the rows it covers: both are committed, or neither.
      beforeCommit: async (db, done) => {
        committed = await options.advance(db, lastUid,
          [...result.unsettled, ...arrived.filter((_, i) => 'error' in done[i]!).map((m) => m.uid)]);
      },
    });
    committed();
  } catch (err) {
    // The transaction failed: none of the batch is in the inbox; all of it is retried by the next poll.
    for (const m of arrived) fail(ctx, result, m, keyOf(m), err);
    return;
  }
  results.forEach((r, i) => {
    if ('error' in r) fail(ctx, result, arrived[i]!, keyOf(arrived[i]!), r.error);
    else if (r.inserted) result.stored++;
  });
}

function fail(ctx: PollContext, result: DownloadResult, message: ListedMessage, key: string, err: unknown): void {
  const error = (err as Error)?.message ?? String(err);
  result.failed.push({ key, error });
  result.unsettled.push(message.uid);
  ctx.logger?.warn({ key, err: error }, 'IMAP download failed; retried on the next poll');
}

/** Removes one `uid` from `uids`, if there (splice(-1, 1) would remove the last UID instead: the cursor could pass it). */
function removeOnce(uids: number[], uid: number): void {
  const at = uids.indexOf(uid);
  if (at >= 0) uids.splice(at, 1);
}

function isTimeout(err: unknown): boolean {
  return err instanceof ImapSourceError && err.step === 'timeout';
}

/** The error a lost connection (or a timeout) ends the download with, naming the UID it was lost on. */
function lostConnection(err: unknown, uid: number): ImapSourceError {
  const lost = isTimeout(err) || (err instanceof ImapSourceError && /^the connection was lost/.test(err.message))
    ? err as ImapSourceError
    : new ImapSourceError('command', `the connection was lost while downloading UID ${uid}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  lost.downloadingUid ??= uid;
  return lost;
}
