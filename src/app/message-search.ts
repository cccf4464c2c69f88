// The message log's search (API and web UI): newest first, filtered, paged by an opaque cursor.
import { searchInbox } from '../store/inbox-search.js';
import { getProfile } from '../store/profiles.js';
import type { App } from './app.js';
import { userError } from './errors.js';
import { inboxItemSummary, OUTCOMES, type InboxItemSummary, type OutcomeOrPending } from './message-views.js';

export interface MessageSearch {
  profile?: string | number;
  outcome?: string;
  /** Received at or after (ISO-8601 date or date-time). */
  since?: string;
  /** Received before. */
  until?: string;
  /** Free text over subject and sender. */
  q?: string;
  /** From the previous page's `next`. */
  cursor?: string;
  limit?: number;
}

export interface MessagePage {
  messages: InboxItemSummary[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  next: string | null;
}

export async function searchMessages(app: App, search: MessageSearch): Promise<MessagePage> {
  const limit = Math.min(Math.max(search.limit ?? 50, 1), 500);
  const outcome = search.outcome !== undefined ? outcomeOf(search.outcome) : undefined;
  const profileId = search.profile !== undefined ? (await getProfile(app.store.db, search.profile)).id : undefined;
  const before = search.cursor !== undefined ? cursorId(search.cursor) : undefined;
  const items = await searchInbox(app.store.db, {
    limit,
    ...(profileId !== undefined ? { profileId } : {}),
    ...(outcome ? { outcome } : {}),
    ...(search.since ? { since: moment(search.since, 'since') } : {}),
    ...(search.until ? { until: moment(search.until, 'until') } : {}),
    ...(search.q ? { text: search.q } : {}),
    ...(before !== undefined ? { before } : {}),
  });
  const last = items.at(-1);
  return { messages: items.map(inboxItemSummary), next: items.length === limit && last ? String(last.id) : null };
}

function outcomeOf(text: string): OutcomeOrPending {
  const found = OUTCOMES.find((o) => o === text);
  if (!found) throw userError(`unknown outcome '${text}'`, { fields: [{ field: 'outcome', message: `choose one of ${OUTCOMES.join(', ')}` }] });
  return found;
}

function cursorId(cursor: string): number {
  if (!/^\d{1,15}$/.test(cursor)) throw userError('the cursor is not one this service gave out', { fields: [{ field: 'cursor', message: 'use the `next` of the previous page' }] });
  return Number(cursor);
}

/** A date or date-time as the ISO-8601 UTC text timestamps are stored in. */
function moment(text: string, field: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw userError(`${field}: '${text}' is not a date`, { fields: [{ field, message: 'a date like 2026-11-30 or 2026-11-30T08:00:00Z' }] });
  return new Date(ms).toISOString();
}
