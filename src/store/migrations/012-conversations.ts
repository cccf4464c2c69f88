// Replies thread onto items only from the people allowed to write there (issue 12). An item gains
// participants (people Cc'd on its thread by someone allowed, who may then reply themselves) and links
// to the items that follow it up (a reply to a closed item, made a new item by the profile's choice).
// A profile gains its threading settings (JSON; '{}' is every default).
import type { Kysely } from 'kysely';
import type { Dialect } from './001-initial.js';

export function createConversationsMigration(dialect: Dialect) {
  // Ids are bigint on PostgreSQL (as items.id is there), integer on SQLite.
  const idType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('item_participants')
        .addColumn('item_id', idType, (c) => c.notNull().references('items.id').onDelete('cascade'))
        // Lowercased: addresses are compared case-insensitively.
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('added_at', 'text', (c) => c.notNull())
        // How they joined: 'cc' or 'to' of an allowed reply (more ways may come: an admin adding one).
        .addColumn('source', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('item_participants_pk', ['item_id', 'email'])
        .execute();
      await db.schema
        .createTable('item_links')
        .addColumn('item_id', idType, (c) => c.notNull().references('items.id').onDelete('cascade'))
        .addColumn('linked_item_id', idType, (c) => c.notNull().references('items.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('item_links_pk', ['item_id', 'linked_item_id', 'kind'])
        .execute();
      await db.schema.createIndex('item_links_linked').on('item_links').columns(['linked_item_id', 'kind']).execute();
      // Reply threading looks a reply's Message-IDs up through these three (tracker/builtin/snapshot-items.ts
      // loadThreads) and an item's follow-ups through item_links: without them each lookup scans the table.
      await db.schema.createIndex('items_source_message').on('items').column('source_message_id').execute();
      await db.schema.createIndex('comments_message').on('comments').column('message_id').execute();
      await db.schema.createIndex('item_messages_message').on('item_messages').column('message_id').execute();
      await db.schema.alterTable('profiles').addColumn('threading', 'text', (c) => c.notNull().defaultTo('{}')).execute();
    },
  };
}
