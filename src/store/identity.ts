// Rows inserted with an id of their own (config apply keeps the project and team ids rules name):
// SQLite's AUTOINCREMENT follows by itself, but a PostgreSQL identity column's sequence does not, and
// the next insert without an id would collide. This moves the sequence past the largest id.
import { PostgresAdapter, sql } from 'kysely';
import type { Db } from './database.js';

export async function identityPastMax(db: Db, table: 'projects' | 'teams'): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`select setval(pg_get_serial_sequence(${table}, 'id'), (select max(id) from ${sql.table(table)}))`.execute(db);
}
