// A profile's stored OAuth2 settings as the app registered at the provider (client secret unsealed for
// the one request that needs it), and the scopes its mailbox asks for.
import type { SecretBox } from '../../store/secrets.js';
import { signInDestination } from '../profile-settings.js';
import type { SourceSettings } from '../settings.js';
import type { OAuthApp } from './client.js';
import { requestedScopes } from './presets.js';

/** Null for a profile that logs in with a password. */
export function oauthAppOf(stored: SourceSettings, secrets: SecretBox): OAuthApp | null {
  if (stored.auth !== 'oauth2' || !stored.oauthProvider || !stored.oauthClientId) return null;
  return {
    provider: stored.oauthProvider,
    clientId: stored.oauthClientId,
    ...(stored.oauthClientSecret ? { clientSecret: secrets.decrypt(stored.oauthClientSecret) } : {}),
    ...(stored.oauthIssuer ? { issuer: stored.oauthIssuer } : {}),
    ...(stored.oauthAuthorizationUrl ? { authorizationUrl: stored.oauthAuthorizationUrl } : {}),
    ...(stored.oauthTokenUrl ? { tokenUrl: stored.oauthTokenUrl } : {}),
    destination: signInDestination(stored),
  };
}

export function scopesOf(stored: SourceSettings): string[] {
  return stored.oauthProvider ? requestedScopes(stored.oauthProvider, stored.protocol, stored.oauthScopes) : [];
}
