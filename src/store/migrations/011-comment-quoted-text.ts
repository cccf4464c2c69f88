// A comment made from a reply keeps only the new words (issue 11); what was stripped (the quoted
// history, a forwarded mail, the signature) is kept beside it so a reader can open it from the comment
// instead of digging out the message. Null for comments made before, or when nothing was stripped.
import type { Kysely } from 'kysely';

export function createCommentQuotedTextMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('comments').addColumn('quoted_text', 'text').execute();
    },
  };
}
