// The first schema: profiles and the inbox, and (in its own file) the builtin tracker's tables.
// Written once for both dialects; only the id column differs.
import { sql, type Kysely, type ColumnDefinitionBuilder } from 'kysely';
import { createBuiltinTrackerTables } from './001-builtin-tracker.js';

export type Dialect = 'sqlite' | 'postgres';

export function createInitialMigration(dialect: Dialect) {
  const id = (col: ColumnDefinitionBuilder) =>
    dialect === 'postgres'
      ? col.primaryKey().generatedByDefaultAsIdentity()
      : col.primaryKey().autoIncrement();
  const idType = dialect === 'postgres' ? 'bigint' : 'integer';

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('profiles')
        .addColumn('id', idType, id)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('rules', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // Profile names are unique regardless of case, as TargetProcess required.
      await sql`create unique index profiles_name_ci on profiles (lower(name))`.execute(db);

      await db.schema
        .createTable('inbox_items')
        .addColumn('id', idType, id)
        .addColumn('profile_id', idType, (c) => c.notNull().references('profiles.id').onDelete('cascade'))
        .addColumn('origin_key', 'text', (c) => c.notNull())
        .addColumn('raw_ref', 'text', (c) => c.notNull())
        .addColumn('raw_size', 'bigint', (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addColumn('subject', 'text')
        .addColumn('from_address', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('lease_until', 'text')
        .addColumn('outcome', 'text')
        .addColumn('reason', 'text')
        .addColumn('rule_line', 'integer')
        .addColumn('actions', 'text')
        .addColumn('created', 'text')
        .addColumn('trace', 'text')
        .addColumn('last_error', 'text')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('processed_at', 'text')
        .addUniqueConstraint('inbox_items_origin', ['profile_id', 'origin_key'])
        .execute();
      await db.schema.createIndex('inbox_items_due').on('inbox_items').columns(['state', 'next_attempt_at']).execute();
      await db.schema.createIndex('inbox_items_message_id').on('inbox_items').columns(['profile_id', 'message_id']).execute();

      // The builtin tracker's tables came with the first schema; their definition is the tracker's own.
      await createBuiltinTrackerTables(db, dialect);
    },
  };
}
