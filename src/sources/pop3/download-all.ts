// Storing the new messages of one POP3 poll, in listing order, step by step, cut like IMAP's by count and
// by the sizes LIST gave (imap/batches.ts): runs of small messages become batches, a large message or
// one over the profile's size limit (only its header is fetched, TOP n 0, and kept up to MAX_HEADER_BYTES) is a step of its own, streamed
// to disk as it arrives. A batch is one retrBatch (its RETRs pipelined where the server offers
// PIPELINING) into memory, and one durability barrier: its blobs synced together, then its inbox rows in
// one transaction (intakeBatch). After a step but the last the caller processes what was stored
// (afterBatch) while the next steps download, so a poll that dies later has turned its share into work.
//
// Nothing here acknowledges anything: a message is deleted on the server (source.ts) only once its row
// is committed and its outcome recorded. A message the server refuses (-ERR), or whose row the database
// refuses, is reported in `failed`, stays on the server and is retried by the next poll; the rest of its
// batch lands. A connection lost in the middle of a batch loses nothing that arrived: the whole messages
// received are stored first; the message whose answer was cut fails (retried by the next poll) and the
// rest of the batch goes on over a new connection, as long as the poll may reconnect. A batch whose
// messages turn out larger than listed stores what came before the first of them; that one streams next,
// and the rest of the batch is planned again after it.
import { MAX_HEADER_BYTES } from '../../mail/header-scan.js';
import { intakeBatch, intakeMessage, type BatchResult } from '../intake.js';
import type { PollContext } from '../source.js';
import { ProcessingAlongside } from '../processing-alongside.js';
import { planSteps, type BatchLimits, type Step } from '../imap/batches.js';
import type { Pop3Client } from './client.js';

/** A new message: its origin key and the size LIST gave (0 when it gave none). */
export interface NewMessage {
  key: string;
  size: number;
}

/** The POP3 session a download runs on; reconnect() replaces it after a lost connection. */
export interface DownloadSession {
  readonly client: Pop3Client;
  /** The message number of `key` in this session; undefined when the server no longer lists it. */
  numberOf(key: string): number | undefined;
  /** Opens a new connection and lists the mailbox again, or rethrows `error` when the poll may not reconnect again. */
  reconnect(error: unknown): Promise<void>;
}

export interface DownloadResult {
  stored: number;
  failed: Array<{ key: string; error: string }>;
}

export interface DownloadOptions {
  limits: Omit<BatchLimits, 'maxMessageBytes'>;
  /**
   * Processes what is committed: called after a step but the last once its messages are committed, and
   * runs while the next steps download; one call at a time, and a step committed during a call gets one
   * more call after it, unless the download has ended by then: the caller's own call after the download
   * takes the rest (processing-alongside.ts).
   */
  afterBatch?: () => Promise<void>;
}

/** Downloads and stores `messages`, adding to `result` as it goes (so a caller sees what was stored even when this throws). */
export async function downloadAll(session: DownloadSession, ctx: PollContext, messages: readonly NewMessage[],
  options: DownloadOptions, result: DownloadResult): Promise<void> {
  const limits = { ...options.limits, maxMessageBytes: ctx.settings.maxMessageBytes };
  const steps = planSteps(messages, limits);
  // Processing what is committed runs beside the steps after it; intake never waits for it
  // (processing-alongside.ts).
  const processing = new ProcessingAlongside(options.afterBatch);
  try {
    while (steps.length) {
      if (ctx.signal?.aborted) break;
      const step = steps.shift()!;
      if (step.kind === 'stream') await streamOne(session, ctx, step.message, result);
      else steps.unshift(...await storeBatch(session, ctx, step.messages, limits, result));
      if (steps.length) processing.committed();
    }
    await processing.finished();
  } finally {
    await processing.stopped(); // the intake's own error is the one to report
  }
}

/** A large message (RETR), or the header of one over the size limit (TOP n 0), streamed into the inbox. */
async function streamOne(session: DownloadSession, ctx: PollContext, message: NewMessage, result: DownloadResult): Promise<void> {
  const n = session.numberOf(message.key);
  if (n === undefined) return; // deleted on the server since it was listed
  try {
    const tooLarge = message.size > ctx.settings.maxMessageBytes;
    const content = tooLarge ? await session.client.header(n, MAX_HEADER_BYTES) : await session.client.retr(n);
    const { inserted } = await intakeMessage(ctx.store, content, {
      profileId: ctx.profile.id,
      originKey: message.key,
      maxMessageBytes: ctx.settings.maxMessageBytes,
      acknowledge: true,
      ...(tooLarge ? { serverSize: message.size } : {}),
    });
    if (inserted) result.stored++;
  } catch (error) {
    fail(ctx, result, message.key, error);
    if (session.client.closed) await session.reconnect(error);
  }
}

/** One batch: RETRieved, what arrived whole stored with one barrier. Returns the steps to take next, in order. */
async function storeBatch(session: DownloadSession, ctx: PollContext, messages: NewMessage[], limits: BatchLimits,
  result: DownloadResult): Promise<Array<Step<NewMessage>>> {
  const listed = messages.flatMap((message) => {
    const n = session.numberOf(message.key);
    return n === undefined ? [] : [{ message, n }];
  });
  if (!listed.length) return [];
  // Each answer is cut at the streaming threshold plus one byte (a message that long goes to the streaming
  // path), and past the batch's bound plus one such message the rest is dropped: memory stays bounded
  // even when LIST understated the sizes.
  const wholeBelow = limits.streamAbove + 1;
  const batch = await session.client.retrBatch(listed.map((l) => l.n), { wholeBelow, maxHeld: limits.maxBytes + wholeBelow });
  // Shutting down: what arrived is not stored now; the next poll lists it again.
  if (ctx.signal?.aborted) return [];
  const cut = batch.answers.findIndex((a) => a.kind === 'larger' || a.kind === 'later');
  const answered = cut < 0 ? batch.answers : batch.answers.slice(0, cut);
  const arrived: Array<{ message: NewMessage; content: Buffer }> = [];
  answered.forEach((answer, i) => {
    const { message } = listed[i]!;
    if (answer.kind === 'message') arrived.push({ message, content: answer.content });
    else if (answer.kind === 'refused') fail(ctx, result, message.key, answer.error);
  });
  await storeArrived(ctx, arrived, result);

  let rest = listed.slice(answered.length).map((l) => l.message);
  if (batch.failure) {
    // The answer under way when the connection failed: that message fails (the next poll retries it).
    const lost = cut < 0 ? rest.shift() : undefined;
    if (lost) fail(ctx, result, lost.key, batch.failure);
    await session.reconnect(batch.failure);
  }
  if (cut >= 0 && batch.answers[cut]!.kind === 'larger') {
    const [larger, ...others] = rest;
    rest = others;
    return [{ kind: 'stream', message: larger! }, ...planSteps(rest, limits)];
  }
  return planSteps(rest, limits);
}

async function storeArrived(ctx: PollContext, arrived: Array<{ message: NewMessage; content: Buffer }>, result: DownloadResult): Promise<void> {
  if (!arrived.length) return;
  let results: BatchResult[];
  try {
    results = await intakeBatch(ctx.store, arrived.map((a) => ({ content: a.content, originKey: a.message.key })), {
      profileId: ctx.profile.id,
      maxMessageBytes: ctx.settings.maxMessageBytes,
      acknowledge: true,
    });
  } catch (error) {
    // The transaction failed: none of the batch is in the inbox; all of it stays on the server for the next poll.
    for (const a of arrived) fail(ctx, result, a.message.key, error);
    return;
  }
  results.forEach((r, i) => {
    if ('error' in r) fail(ctx, result, arrived[i]!.message.key, r.error);
    else if (r.inserted) result.stored++;
  });
}

function fail(ctx: PollContext, result: DownloadResult, key: string, err: unknown): void {
  const error = (err as Error)?.message ?? String(err);
  result.failed.push({ key, error });
  ctx.logger?.warn({ profile: ctx.profile.name, key, err: error }, 'POP3 download failed; retried next poll');
}
