// The message log as people search it: newest first, by profile, outcome, date range and free text
// over subject and sender, paged by cursor (the id of the last row seen) so pages never shift while
// new mail arrives. The free text is matched with LIKE, its wildcards escaped: a plain substring.
import { sql } from 'kysely';
import type { Db } from './database.js';
import { toInboxItem, type InboxItem } from './inbox.js';
import type { Outcome } from './schema.js';

export interface InboxSearch {
  profileId?: number;
  outcome?: Outcome | 'pending';
  /** ISO-8601; received at or after. */
  since?: string;
  /** ISO-8601; received before. */
  until?: string;
  text?: string;
  /** The id of the last item of the previous page. */
  before?: number;
  limit: number;
}

export async function searchInbox(db: Db, search: InboxSearch): Promise<InboxItem[]> {
  let query = db.selectFrom('inbox_items').selectAll().orderBy('id', 'desc').limit(search.limit);
  if (search.profileId !== undefined) query = query.where('profile_id', '=', search.profileId);
  if (search.outcome === 'pending') query = query.where('outcome', 'is', null);
  else if (search.outcome) query = query.where('outcome', '=', search.outcome);
  if (search.since) query = query.where('received_at', '>=', search.since);
  if (search.until) query = query.where('received_at', '<', search.until);
  if (search.before !== undefined) query = query.where('id', '<', search.before);
  const text = search.text?.trim().toLowerCase();
  if (text) {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    // ESCAPE is said explicitly: SQLite's LIKE has no escape character otherwise.
    query = query.where(sql<boolean>`(lower(subject) like ${pattern} escape '\\' or lower(from_address) like ${pattern} escape '\\')`);
  }
  return (await query.execute()).map(toInboxItem);
}
