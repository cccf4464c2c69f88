// New app credentials for an OAuth2 mailbox. When the provider refused the app itself (invalid_client,
// unauthorized_client: a wrong client ID, an expired Microsoft client secret), the fix is the client
// secret, not a new sign-in: the stop it caused becomes "failing", so the next poll refreshes with the
// new credentials and the sign-in carries on. (A new client ID also moves the sign-in's destination,
// which signs the profile out before this applies; see profile-settings.ts signInDestination.)
import type { Db } from '../../store/database.js';
import { liftStop } from '../../store/oauth-tokens.js';
import type { SecretBox } from '../../store/secrets.js';
import type { SourceSettings } from '../settings.js';
import { APP_REFUSALS } from './client.js';

/** True when `after` names another client ID or client secret than `before` (secrets compared unsealed). */
export function appCredentialsChanged(before: SourceSettings | null, after: SourceSettings, secrets: SecretBox): boolean {
  if (after.auth !== 'oauth2') return false;
  if ((before?.oauthClientId ?? null) !== (after.oauthClientId ?? null)) return true;
  const secret = (s: SourceSettings | null) => (s?.oauthClientSecret ? secrets.decrypt(s.oauthClientSecret) : null);
  return secret(before) !== secret(after);
}

/**
 * After a change of the profile's settings from `before` to `after`: true when new app credentials lifted
 * a stop the app caused (the next poll tries them).
 */
export async function liftAppStop(db: Db, profileId: number, before: SourceSettings | null, after: SourceSettings, secrets: SecretBox): Promise<boolean> {
  if (!appCredentialsChanged(before, after, secrets)) return false;
  return liftStop(db, profileId, APP_REFUSALS);
}
