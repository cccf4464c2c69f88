// The builtin tracker's tables (store/builtin-tracker-schema.ts), created by the first migration.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from './001-initial.js';

export async function createBuiltinTrackerTables(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const id = (col: ColumnDefinitionBuilder) =>
    dialect === 'postgres' ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement();
  const idType = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('companies')
    .addColumn('id', idType, id)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .execute();
  await db.schema
    .createTable('company_domains')
    .addColumn('domain', 'text', (c) => c.primaryKey())
    .addColumn('company_id', idType, (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .execute();
  await db.schema
    .createTable('projects')
    .addColumn('id', idType, id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('company_id', idType, (c) => c.references('companies.id'))
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('teams')
    .addColumn('id', idType, id)
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('users')
    .addColumn('id', idType, id)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('requesters')
    .addColumn('id', idType, id)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('company_id', idType, (c) => c.references('companies.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('messages')
    .addColumn('id', idType, id)
    .addColumn('inbox_item_id', idType, (c) => c.references('inbox_items.id').onDelete('set null'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('from_address', 'text')
    .addColumn('from_name', 'text')
    .addColumn('requester_id', idType, (c) => c.references('requesters.id'))
    .addColumn('user_id', idType, (c) => c.references('users.id'))
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text')
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_message_id').on('messages').column('message_id').execute();
  await db.schema
    .createTable('message_projects')
    .addColumn('message_id', idType, (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('project_id', idType, (c) => c.notNull().references('projects.id'))
    .addPrimaryKeyConstraint('message_projects_pk', ['message_id', 'project_id'])
    .execute();
  await db.schema
    .createTable('items')
    .addColumn('id', idType, id)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('project_id', idType, (c) => c.notNull().references('projects.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('is_private', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('team_id', idType, (c) => c.references('teams.id'))
    .addColumn('source_message_id', idType, (c) => c.references('messages.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('items_project').on('items').columns(['project_id', 'kind']).execute();
  await db.schema
    .createTable('item_requesters')
    .addColumn('item_id', idType, (c) => c.notNull().references('items.id').onDelete('cascade'))
    .addColumn('requester_id', idType, (c) => c.notNull().references('requesters.id'))
    .addPrimaryKeyConstraint('item_requesters_pk', ['item_id', 'requester_id'])
    .execute();
  await db.schema
    .createTable('item_messages')
    .addColumn('item_id', idType, (c) => c.notNull().references('items.id').onDelete('cascade'))
    .addColumn('message_id', idType, (c) => c.notNull().references('messages.id'))
    .addPrimaryKeyConstraint('item_messages_pk', ['item_id', 'message_id'])
    .execute();
  await db.schema
    .createTable('comments')
    .addColumn('id', idType, id)
    .addColumn('item_id', idType, (c) => c.notNull().references('items.id').onDelete('cascade'))
    .addColumn('message_id', idType, (c) => c.references('messages.id'))
    .addColumn('requester_id', idType, (c) => c.references('requesters.id'))
    .addColumn('user_id', idType, (c) => c.references('users.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('attachments')
    .addColumn('id', idType, id)
    .addColumn('blob_ref', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('content_id', 'text')
    .addColumn('inline', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message_id', idType, (c) => c.references('messages.id').onDelete('cascade'))
    .addColumn('item_id', idType, (c) => c.references('items.id').onDelete('cascade'))
    .addColumn('comment_id', idType, (c) => c.references('comments.id').onDelete('cascade'))
    .execute();
}
