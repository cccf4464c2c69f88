// Import: .eml files, folders of them, mbox files and Maildir folders into a profile. Each message is
// stored in the inbox (idempotently: importing again creates nothing) and processed at once.
import { intakeMessage } from '../sources/intake.js';
import { walkImportPaths } from '../sources/import/walk.js';
import { getProfile } from '../store/profiles.js';
import type { App } from './app.js';
import { processedMessage, storedMessage, type ProcessedMessage } from './message-views.js';

/** Yields each message as it is stored and processed, in the order found. */
export async function* importPaths(app: App, profileName: string | number, paths: string[]): AsyncGenerator<ProcessedMessage> {
  const profile = await getProfile(app.store.db, profileName);
  const processor = await app.processor();
  for await (const found of walkImportPaths(paths)) {
    const { item, inserted } = await intakeMessage(app.store, found.content, {
      profileId: profile.id,
      ...(profile.source ? { maxMessageBytes: profile.source.maxMessageBytes } : {}),
    });
    if (!inserted) {
      yield storedMessage(item, { file: found.label, duplicate: true });
      continue;
    }
    const [result] = await processor.processDue({ ids: [item.id] });
    yield result ? processedMessage(result, { file: found.label }) : storedMessage(item, { file: found.label });
  }
}

/** How many messages the paths hold, for a progress bar; reads only what it must. */
export async function countImportable(paths: string[]): Promise<number> {
  let total = 0;
  for await (const found of walkImportPaths(paths)) {
    total += 1;
    if ('destroy' in found.content) (found.content as unknown as { destroy(): void }).destroy();
  }
  return total;
}
