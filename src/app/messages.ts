// The message log: list and show stored messages, and run them again: retry one that failed or was
// skipped or ignored, or reprocess every skipped message of a profile after its rules changed.
import { TOO_LARGE } from '../sources/intake.js';
import { DUPLICATE_OF, getInboxItem, listInboxItems, makeDueNow, resetForRetry } from '../store/inbox.js';
import { getProfile } from '../store/profiles.js';
import type { App } from './app.js';
import { conflict, notFound, userError } from './errors.js';
import {
  inboxItemDetail,
  inboxItemSummary,
  OUTCOMES,
  processedMessage,
  type InboxItemDetail,
  type InboxItemSummary,
  type OutcomeOrPending,
  type ProcessedMessage,
} from './message-views.js';
import { processNow, type ProcessNowOptions } from './process-now.js';

export interface MessageFilter {
  outcome?: string;
  profile?: string | number;
  limit?: number;
}

export async function listMessages(app: App, filter: MessageFilter = {}): Promise<InboxItemSummary[]> {
  const outcome = filter.outcome === undefined ? undefined : outcomeOf(filter.outcome);
  const profileId = filter.profile !== undefined ? (await getProfile(app.store.db, filter.profile)).id : undefined;
  const items = await listInboxItems(app.store.db, {
    ...(outcome ? { outcome } : {}),
    ...(profileId !== undefined ? { profileId } : {}),
    ...(filter.limit !== undefined ? { limit: filter.limit } : {}),
  });
  return items.map(inboxItemSummary);
}

export async function showMessage(app: App, id: number): Promise<InboxItemDetail> {
  const item = await getInboxItem(app.store.db, id);
  if (!item) throw notFound(`no message ${id}`);
  return inboxItemDetail(item);
}

/**
 * Process a message again, now: one that failed, was skipped or ignored, or that has no outcome yet
 * (waiting for its backoff, or stranded by a worker that died holding it).
 */
export async function retryMessage(app: App, id: number, notices: ProcessNowOptions = {}): Promise<ProcessedMessage> {
  const item = await getInboxItem(app.store.db, id);
  if (!item) throw notFound(`no message ${id}`);
  if (item.outcome === 'imported' || item.outcome === 'commented') {
    throw conflict(`message ${id} was ${item.outcome} already; retrying would create its items twice`);
  }
  if (item.reason?.startsWith(DUPLICATE_OF)) {
    throw conflict(`message ${id} is a ${item.reason}: the same bytes were taken before; processing the copy would create their items twice`);
  }
  if (item.reason?.startsWith(TOO_LARGE)) {
    // Its body was never taken: nothing would take it later (its key and the mailbox's cursor are past it).
    throw conflict(`message ${id} is stored as headers only (${item.reason}): its body was never taken, so there is nothing to process again; `
      + `raise the profile's size limit for mail to come, and import this message from a copy of it (mailbind import --profile NAME FILE)`);
  }
  if (item.outcome !== null) await resetForRetry(app.store.db, id);
  else if (item.state === 'pending') await makeDueNow(app.store.db, id);
  const processor = await app.processor();
  const [result] = await processNow(app.store.db, processor, [id], notices);
  if (!result) {
    // Claimed by a worker whose claim still runs: it is alive and at work on this very message.
    const now = await getInboxItem(app.store.db, id);
    throw conflict(`message ${id} is being processed by ${now?.claimedBy ?? 'another worker'} right now; see its outcome with messages show ${id}`);
  }
  return processedMessage(result);
}

/**
 * Run a profile's skipped messages (no rule matched) through its current rules again: what to do
 * after fixing rules that let mail fall through. Nothing else is touched.
 */
export interface ReprocessReport {
  /** What this command processed. */
  messages: ProcessedMessage[];
  /** Reset for reprocessing but taken by a running worker first: it processes them. */
  takenByWorker: number;
}

export async function reprocessSkipped(
  app: App,
  options: { profile: string | number; limit?: number },
  notices: ProcessNowOptions = {},
): Promise<ReprocessReport> {
  const profile = await getProfile(app.store.db, options.profile);
  const items = await listInboxItems(app.store.db, {
    profileId: profile.id,
    outcome: 'skipped',
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  });
  const ids: number[] = [];
  for (const item of items) if (await resetForRetry(app.store.db, item.id)) ids.push(item.id);
  if (ids.length === 0) return { messages: [], takenByWorker: 0 };
  const processor = await app.processor();
  const messages = (await processNow(app.store.db, processor, ids, notices)).map((r) => processedMessage(r));
  return { messages, takenByWorker: ids.length - messages.length };
}

function outcomeOf(text: string): OutcomeOrPending {
  const found = OUTCOMES.find((o) => o === text);
  if (!found) throw userError(`unknown outcome '${text}': choose one of ${OUTCOMES.join(', ')}`, { fields: [{ field: 'outcome', message: `one of ${OUTCOMES.join(', ')}` }] });
  return found;
}
