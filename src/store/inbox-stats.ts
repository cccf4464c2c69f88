// The message log counted per hour and outcome, for the dashboard's chart. Timestamps are ISO-8601
// UTC text in both dialects (see db-clock.ts), so the hour is the first 13 characters: one query,
// the same on SQLite and PostgreSQL.
import { sql } from 'kysely';
import type { Db } from './database.js';

export interface HourCount {
  /** `2026-11-24T10`: the hour, UTC. */
  hour: string;
  /** null while the message waits for processing. */
  outcome: string | null;
  count: number;
}

/** Messages received at or after `since` (ISO-8601), counted per hour and outcome. */
export async function countByHour(db: Db, since: string): Promise<HourCount[]> {
  const hour = sql<string>`substr(received_at, 1, 13)`;
  const rows = await db
    .selectFrom('inbox_items')
    .select([hour.as('hour'), 'outcome', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('received_at', '>=', since)
    .groupBy([hour, 'outcome'])
    .execute();
  return rows.map((r) => ({ hour: r.hour, outcome: r.outcome, count: Number(r.count) }));
}
