// Outgoing mail (issue 12): a profile's SMTP settings (JSON, password sealed as the mailbox password
// is), its reply templates, the outbox of mail to send with every attempt recorded, and the
// installation's secrets (the key that signs reply tokens, sealed like a password).
import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from './001-initial.js';

export function createOutgoingMailMigration(dialect: Dialect) {
  const id = (col: ColumnDefinitionBuilder) =>
    dialect === 'postgres' ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement();
  const idType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>): Promise<void> {
      // '{}' is a profile that sends nothing.
      await db.schema.alterTable('profiles').addColumn('smtp', 'text', (c) => c.notNull().defaultTo('{}')).execute();

      await db.schema
        .createTable('reply_templates')
        .addColumn('id', idType, id)
        .addColumn('profile_id', idType, (c) => c.notNull().references('profiles.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body_text', 'text', (c) => c.notNull())
        .addColumn('body_html', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await sql`create unique index reply_templates_name_ci on reply_templates (profile_id, lower(name))`.execute(db);

      await db.schema
        .createTable('outbox')
        .addColumn('id', idType, id)
        // Mail of a deleted profile goes with it: there is no SMTP server left to send it through.
        .addColumn('profile_id', idType, (c) => c.notNull().references('profiles.id').onDelete('cascade'))
        // The message that asked for it and the item it is about (no foreign key: the tracker may be elsewhere).
        .addColumn('inbox_item_id', idType)
        .addColumn('item_id', idType)
        // 'acknowledgement' (the profile's option) or 'reply' (a rule's `reply with template`).
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('template', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('recipient_name', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body_text', 'text', (c) => c.notNull())
        .addColumn('body_html', 'text')
        // Minted when queued, so every attempt sends the same mail and a reply to it finds its item.
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('in_reply_to', 'text')
        // JSON string[], oldest first.
        .addColumn('references', 'text', (c) => c.notNull())
        .addColumn('reply_to', 'text')
        // pending → sending → sent | failed (final); skipped: never sent, `reason` says why.
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('lease_until', 'text')
        .addColumn('claimed_by', 'text')
        .addColumn('last_error', 'text')
        // The server's reply that accepted it ("250 2.0.0 Ok: queued as 4F3…").
        .addColumn('smtp_response', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .execute();
      await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute();
      await db.schema.createIndex('outbox_recipient').on('outbox').columns(['profile_id', 'recipient', 'created_at']).execute();
      await db.schema.createIndex('outbox_item').on('outbox').columns(['item_id', 'kind']).execute();
      await db.schema.createIndex('outbox_message_id').on('outbox').column('message_id').unique().execute();

      await db.schema
        .createTable('outbox_attempts')
        .addColumn('id', idType, id)
        .addColumn('outbox_id', idType, (c) => c.notNull().references('outbox.id').onDelete('cascade'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('ok', 'integer', (c) => c.notNull())
        // The SMTP reply code when the server gave one (535, 550, 250); null for a network failure.
        .addColumn('code', 'integer')
        .addColumn('response', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('outbox_attempts_mail').on('outbox_attempts').column('outbox_id').execute();

      await db.schema
        .createTable('installation_secrets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
