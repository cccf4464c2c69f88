// Raw messages up to RAW_IN_DATABASE_MAX_BYTES (store/raw-messages.ts) are kept in the database, in the
// same transaction as their inbox row, instead of as a file each under blobs/ (issue 14): one commit
// makes a whole batch durable, where a file each cost a write, an fsync, a rename and its folder's
// fsync. Content-addressed like the files: `ref` is the SHA-256 of the bytes, so the same bytes stored
// twice (a duplicate) are one row. Larger messages stay files.
import type { Kysely } from 'kysely';
import type { Dialect } from './001-initial.js';

export function createRawMessagesMigration(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('raw_messages')
        .addColumn('ref', 'text', (c) => c.primaryKey())
        .addColumn('bytes', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
        .execute();
    },
  };
}
