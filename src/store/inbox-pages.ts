// A profile's stored messages newest first, a page at a time: for work over the last N messages (the
// rules preview) that must not hold them all in memory at once.
import type { Db } from './database.js';
import type { Outcome } from './schema.js';

/** What a pass over stored messages needs of each: where its bytes are and what was recorded. */
export interface StoredMessageRow {
  id: number;
  rawRef: string;
  rawSize: number;
  subject: string | null;
  fromAddress: string | null;
  receivedAt: string;
  outcome: Outcome | null;
  actions: string[];
}

/**
 * Yields up to `last` of the profile's messages, newest first, reading `pageSize` rows at a time;
 * with `before`, only those older than that message (id below it). Messages whose reason starts with
 * one of `skipReasons` are passed over and do not count.
 */
export async function* newestMessages(
  db: Db,
  profileId: number,
  options: { last: number; before?: number; pageSize?: number; skipReasons?: string[] },
): AsyncGenerator<StoredMessageRow> {
  const pageSize = options.pageSize ?? 100;
  let left = options.last;
  let before: number | null = options.before ?? null;
  while (left > 0) {
    let query = db
      .selectFrom('inbox_items')
      .select(['id', 'raw_ref', 'raw_size', 'subject', 'from_address', 'received_at', 'outcome', 'actions', 'reason'])
      .where('profile_id', '=', profileId)
      .orderBy('id', 'desc')
      .limit(pageSize);
    if (before !== null) query = query.where('id', '<', before);
    const rows = await query.execute();
    if (rows.length === 0) return;
    before = Number(rows.at(-1)!.id);
    for (const row of rows) {
      if (row.reason !== null && options.skipReasons?.some((prefix) => row.reason!.startsWith(prefix))) continue;
      yield {
        id: Number(row.id),
        rawRef: row.raw_ref,
        rawSize: row.raw_size,
        subject: row.subject,
        fromAddress: row.from_address,
        receivedAt: row.received_at,
        outcome: row.outcome,
        actions: row.actions ? (JSON.parse(row.actions) as string[]) : [],
      };
      if (--left === 0) return;
    }
  }
}
