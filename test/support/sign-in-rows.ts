// Sign-in rows for tests of what is shown about a sign-in (status, metrics, alerts, pages), written
// through the token store as the product writes them:
//
//   await saveSignIn(db, secrets, id, { …tokens, destination: await destinationOf(db, id) });
//   await recordFailureNow(db, id, { error: 'cannot reach the provider …', stopped: false });
import assert from 'node:assert/strict';
import { signInDestination } from '../../src/sources/profile-settings.js';
import { validateSettings } from '../../src/sources/settings.js';
import type { Db } from '../../src/store/database.js';
import { recordSignInFailure } from '../../src/store/oauth-tokens.js';
import { getProfile } from '../../src/store/profiles.js';

/** The destination saveSignIn binds a profile's tokens to: its settings as stored now (as oauthAppOf reads them). */
export async function destinationOf(db: Db, profileId: number): Promise<string> {
  const { source } = await getProfile(db, profileId);
  return signInDestination(source ? validateSettings(source) : null);
}

/**
 * A failure of the token stored now, as the login-refused path records it (guarded by the row's
 * version); fails the test if nothing was written.
 */
export async function recordFailureNow(db: Db, profileId: number, failure: { error: string; stopped: boolean; code?: string }): Promise<void> {
  const row = await db.selectFrom('oauth_tokens').select('version').where('profile_id', '=', profileId).executeTakeFirstOrThrow();
  assert.ok(await recordSignInFailure(db, profileId, { ...failure, version: Number(row.version) }), 'the failure was written');
}
