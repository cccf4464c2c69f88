// Delivery from a mail server's pipe (Postfix, Exim): judge the input, store it, then have it
// processed: by the running service if there is one, else here. Once stored, the message is ours: a
// processing failure is retried by the service, so it does not make the mail server send it again.
import { looksLikeMessage } from '../mail/header-scan.js';
import { intakeMessage } from '../sources/intake.js';
import { getInboxItem } from '../store/inbox.js';
import { getProfile } from '../store/profiles.js';
import { anyLiveService } from '../store/services.js';
import type { App } from './app.js';
import { userError } from './errors.js';
import { processNow, type ProcessNowOptions } from './process-now.js';
import { processedMessage, storedMessage, type ProcessedMessage } from './message-views.js';

export type DeliverResult =
  | { status: 'processed'; message: ProcessedMessage; earlier?: ProcessedMessage[] }
  /** Stored; a running service (serve, worker) processes it within about a second. */
  | { status: 'queued'; itemId: number }
  /** Stored; another process (a concurrent deliver) took it first and processes it. */
  | { status: 'taken'; itemId: number }
  /** Stored, but processing failed now; the service retries it. */
  | { status: 'stored'; itemId: number; error: string };

/** Refuses (as a user error) input that is empty or does not start like a mail message. */
export function judgeDeliveredInput(head: Buffer): void {
  if (head.length === 0) throw userError('the input is empty');
  if (!looksLikeMessage(head)) throw userError('the input is not a mail message (it does not start with a header)');
}

export async function deliverMessage(app: App, profileName: string, content: NodeJS.ReadableStream | Buffer, options: ProcessNowOptions = {}): Promise<DeliverResult> {
  const profile = await getProfile(app.store.db, profileName);
  const { item, inserted } = await intakeMessage(app.store, content, {
    profileId: profile.id,
    ...(profile.source ? { maxMessageBytes: profile.source.maxMessageBytes } : {}),
  });
  // Delivered before and finished: nothing new. Delivered before but never finished (the earlier
  // deliver was killed after storing it): carry on as with a new message, so a mail server's retry
  // never ends with a message that has no outcome.
  if (item.outcome) return { status: 'processed', message: storedMessage(item, { duplicate: !inserted }) };
  // A mail server runs deliver once per message: with a service running, leave the work to it and
  // exit without loading the engine; without one, process the message here and now.
  if (await anyLiveService(app.store.db)) return { status: 'queued', itemId: item.id };
  try {
    const processor = await app.processor();
    const [result] = await processNow(app.store.db, processor, [item.id], options);
    // No service runs: whatever earlier runs left due (a crash, a service that died after taking
    // messages) is taken along, a few at a time, so nothing waits for a service that may never come.
    // Only what is older than a few seconds: a concurrent deliver's fresh message is its own to process.
    const receivedBefore = new Date(Date.now() - STRAGGLER_AGE_MS).toISOString();
    const earlier = (await processor.processDue({ profileId: profile.id, receivedBefore, limit: STRAGGLERS }))
      .map((r) => processedMessage(r, { storedEarlier: true }));
    if (!result) {
      const now = await getInboxItem(app.store.db, item.id);
      if (!now?.outcome) return { status: 'taken', itemId: item.id };
      return { status: 'processed', message: storedMessage(now), earlier };
    }
    return { status: 'processed', message: processedMessage(result), earlier };
  } catch (error) {
    return { status: 'stored', itemId: item.id, error: (error as Error).message };
  }
}

/** How many earlier messages left due one deliver processes along with its own, and how old they are. */
const STRAGGLERS = 20;
const STRAGGLER_AGE_MS = 10_000;
