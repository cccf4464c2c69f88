// Two facts an OAuth2 sign-in keeps beside its tokens (issue 13, after review):
// - last_error_code: the provider's error code of the failure that stopped (or is failing) the sign-in,
//   so a stop the app caused (invalid_client: an expired client secret) can be lifted by a new client
//   secret, while a revoked grant (invalid_grant) still needs a new sign-in.
// - destination_hash: SHA-256 of the settings the tokens were signed in for (signInDestination), so a
//   worker holding an older copy of the profile cannot send them to another server or provider. Sign-ins
//   from before this migration have none and are refused until signed in again: nothing recorded where
//   they were meant to go.
import type { Kysely } from 'kysely';

export function createOAuthTokenBindingMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('oauth_tokens').addColumn('last_error_code', 'text').execute();
      await db.schema.alterTable('oauth_tokens').addColumn('destination_hash', 'text').execute();
    },
  };
}
