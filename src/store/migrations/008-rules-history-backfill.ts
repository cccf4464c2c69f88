// Rules history starts with what is there: every profile that has no version yet gets its current rules
// as version 1, so that history, diff and restore work for profiles made before history existed, and
// the next save is version 2.
import { sql, type Kysely } from 'kysely';

export function createRulesHistoryBackfillMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db
        .insertInto('rules_versions')
        .columns(['profile_id', 'version', 'rules', 'author', 'comment', 'created_at'])
        .expression(
          db
            .selectFrom('profiles')
            .select([
              'profiles.id',
              sql.lit(1).as('version'),
              'profiles.rules',
              sql.lit('migration').as('author'),
              sql.lit('the rules as they were when history began').as('comment'),
              'profiles.updated_at',
            ])
            .where((eb) => eb.not(eb.exists(eb.selectFrom('rules_versions').select('rules_versions.id').whereRef('rules_versions.profile_id', '=', 'profiles.id')))),
        )
        .execute();
    },
  };
}
