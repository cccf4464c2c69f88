// What the rules of language v2 set on a new item (issue 10): a project gets a short code rules may name
// it by; an item gets a priority, a severity (bugs), an assignee (a staff user), tags and custom fields.
// Items made before keep their state: the three states they could have ('open', 'in-progress', 'done')
// are among the five there are now.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './001-initial.js';

export function createItemFieldsMigration(dialect: Dialect) {
  // Ids are bigint on PostgreSQL (as users.id and items.id are there), integer on SQLite.
  const idType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>): Promise<void> {
      // Stored as the admin typed it, unique without case: the same rule as names, which are shown as
      // typed and compared lowercased. The index (not only the check in admin.ts) keeps two admins
      // adding the same code at once from both succeeding.
      await db.schema.alterTable('projects').addColumn('code', 'text').execute();
      await db.schema.createIndex('projects_code').on('projects').unique().expression(sql`lower(code)`).execute();

      await db.schema.alterTable('items').addColumn('priority', 'text').execute();
      await db.schema.alterTable('items').addColumn('severity', 'text').execute();
      await db.schema.alterTable('items').addColumn('assignee_user_id', idType, (c) => c.references('users.id')).execute();

      await db.schema
        .createTable('item_tags')
        .addColumn('item_id', idType, (c) => c.notNull().references('items.id').onDelete('cascade'))
        .addColumn('tag', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('item_tags_pk', ['item_id', 'tag'])
        .execute();
      await db.schema
        .createTable('item_fields')
        .addColumn('item_id', idType, (c) => c.notNull().references('items.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('item_fields_pk', ['item_id', 'name'])
        .execute();
    },
  };
}
