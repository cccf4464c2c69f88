// Import: .eml files, folders of them, mbox files and Maildir folders into a profile. Each message is
// stored in the inbox (idempotently: importing again creates nothing) and processed at once. What is
// not a message (not mail, unreadable) is reported, never stored. Messages an earlier run stored but
// never finished (it crashed) are processed now when they are due, and reported as such.
import { intakeMessage } from '../sources/intake.js';
import { walkImportPaths } from '../sources/import/walk.js';
import { getInboxItem, type InboxItem } from '../store/inbox.js';
import { getProfile } from '../store/profiles.js';
import type { App } from './app.js';
import { processNow, type ProcessNowOptions } from './process-now.js';
import { processedMessage, storedMessage, type ProcessedMessage } from './message-views.js';

/** A path that yielded no message, and why: not mail (skipped), or unreadable (an error). */
export interface PassedOverFile {
  file: string;
  outcome: 'not-mail' | 'unreadable';
  reason: string;
  skipped: true;
}

export type ImportLine = ProcessedMessage | PassedOverFile;

export const NOT_YET_PROCESSED = 'stored earlier, not yet processed';

/**
 * Yields each message as it is stored and processed, and each path passed over, in the order found;
 * then the profile's other messages stored earlier and due now, processed.
 */
export async function* importPaths(app: App, profileName: string | number, paths: string[], notices: ProcessNowOptions = {}): AsyncGenerator<ImportLine> {
  const profile = await getProfile(app.store.db, profileName);
  const processor = await app.processor();
  // What earlier runs left is what was stored before this one began: a concurrent import's fresh
  // messages are its own to process and report.
  const startedAt = new Date().toISOString();
  for await (const found of walkImportPaths(paths)) {
    if (found.kind !== 'message') {
      yield { file: found.label, outcome: found.kind, reason: found.reason, skipped: true };
      continue;
    }
    const { item, inserted } = await intakeMessage(app.store, found.content, {
      profileId: profile.id,
      ...(profile.source ? { maxMessageBytes: profile.source.maxMessageBytes } : {}),
    });
    if (!inserted && item.outcome) {
      yield storedMessage(item, { file: found.label, duplicate: true });
      continue;
    }
    // New, or stored by a run that never finished it: process it now if it is due.
    const [result] = await processNow(app.store.db, processor, [item.id], notices);
    if (result) yield processedMessage(result, { file: found.label, ...(inserted ? {} : { storedEarlier: true }) });
    else yield unfinished((await getInboxItem(app.store.db, item.id)) ?? item, found.label, inserted);
  }
  for (const result of await processor.processDue({ profileId: profile.id, receivedBefore: startedAt })) {
    yield processedMessage(result, { storedEarlier: true });
  }
}

/** A message not processed now: claimed by another worker, waiting for a retry, or decided at intake. */
function unfinished(item: InboxItem, file: string, inserted: boolean): ProcessedMessage {
  if (item.outcome) return storedMessage(item, { file, duplicate: !inserted });
  return storedMessage(item, { file, duplicate: !inserted, storedEarlier: !inserted, reason: NOT_YET_PROCESSED });
}

/** How many messages the paths hold, for a progress bar; reads only what it must. */
export async function countImportable(paths: string[]): Promise<number> {
  let total = 0;
  for await (const found of walkImportPaths(paths)) {
    if (found.kind !== 'message') continue;
    total += 1;
    if ('destroy' in found.content) (found.content as unknown as { destroy(): void }).destroy();
  }
  return total;
}
