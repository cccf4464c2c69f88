// The database's clock, for leases and heartbeats. Workers on several hosts share one PostgreSQL; if
// each compared its own clock with timestamps another host wrote, a clock running 15 s ahead would
// take every live worker for dead. So the moments that decide who holds what are written and compared
// with the database's time, in the same ISO-8601 text (millisecond, UTC, 'Z') every other timestamp uses.
import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
import type { Db } from './database.js';

/** The database's now, plus `offsetMs` (negative: a moment ago), as ISO-8601 text. */
export function dbNow(db: Db, offsetMs = 0): RawBuilder<string> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    return sql<string>`to_char((clock_timestamp() + cast(${offsetMs} as double precision) * interval '1 millisecond') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  }
  // SQLite is one file on one host: its clock is the host's, read through SQLite all the same.
  return sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${`${offsetMs / 1000} seconds`})`;
}
