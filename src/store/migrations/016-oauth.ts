// OAuth2 mailboxes (issue 13): the tokens a profile signed in with, sealed like passwords, and the
// sign-ins under way (the state and PKCE verifier of an authorization request until its callback).
// Both live in the database, not in a process: the callback may reach another worker than the one
// that started the sign-in, the CLI waits for a sign-in the service completes, and several workers
// share one refresher through the lease columns.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from './001-initial.js';

export function createOAuthMigration(dialect: Dialect) {
  const idType = dialect === 'postgres' ? 'bigint' : 'integer';
  const profile = (c: ColumnDefinitionBuilder) => c.notNull().references('profiles.id').onDelete('cascade');
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('oauth_tokens')
        .addColumn('profile_id', idType, (c) => profile(c).primaryKey())
        // The account signed in (the ID token's email), and its subject at the provider.
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('access_token', 'text', (c) => c.notNull())
        .addColumn('access_expires_at', 'text', (c) => c.notNull())
        // Null when the provider issued none (no offline access): the sign-in lasts one access token.
        .addColumn('refresh_token', 'text')
        // What the provider granted (space-separated), checked against what the mailbox needs.
        .addColumn('scope', 'text')
        .addColumn('signed_in_at', 'text', (c) => c.notNull())
        .addColumn('refreshed_at', 'text')
        // ok | failing (refresh failed, the access token may still work) | stopped (sign in again).
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('failing_since', 'text')
        .addColumn('refresh_failures', 'integer', (c) => c.notNull().defaultTo(0))
        // One refresher at a time: whoever holds the lease calls the token endpoint.
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'text')
        // Bumped by every write of the tokens, so a waiting worker sees that a refresh happened.
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();

      await db.schema
        .createTable('oauth_sign_ins')
        // SHA-256 of the state parameter: the state itself only travels in the URL.
        .addColumn('state_hash', 'text', (c) => c.primaryKey())
        .addColumn('profile_id', idType, profile)
        .addColumn('code_verifier', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('redirect_uri', 'text', (c) => c.notNull())
        // 'web' sign-ins must come back to the same session; 'cli' ones are bound by the state alone.
        .addColumn('via', 'text', (c) => c.notNull())
        .addColumn('session_hash', 'text')
        .addColumn('started_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('completed_at', 'text')
        // The account signed in, or why the sign-in failed, once completed.
        .addColumn('account', 'text')
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('oauth_sign_ins_profile').on('oauth_sign_ins').column('profile_id').execute();
    },
  };
}
