// What mailbind knows about each OAuth2 provider: where to sign in, which scopes a mailbox needs, and the
// provider's mail servers. Free of the OAuth library and the schema library, so settings validation and
// the command line's --help can read it cheaply.
import type { OAuthProvider, Protocol } from '../settings-core.js';

export interface OAuthPreset {
  /** Discovery starts here (OpenID Connect issuer); a tenant's own issuer may replace it. */
  issuer: string | null;
  /** Scopes to ask for, by protocol. */
  scopes(protocol: Protocol): string[];
  /** Extra authorization request parameters: how each provider is asked for a refresh token. */
  authorizationParams: Record<string, string>;
  /** The provider's mail servers, used when the profile names none. */
  hosts: Partial<Record<Protocol, string>>;
}

/** Scopes about who signed in and staying signed in, not about mail: the rest must all be granted. */
export const IDENTITY_SCOPES = new Set(['openid', 'email', 'profile', 'offline_access']);

export const OAUTH_PRESETS: Record<OAuthProvider, OAuthPreset> = {
  google: {
    issuer: 'https://accounts.google.com',
    // Google's only scope for IMAP and POP3 is full mail access; offline access is a parameter, not a
    // scope, and Google issues the refresh token again only when consent is asked again.
    scopes: () => ['openid', 'email', 'https://mail.google.com/'],
    authorizationParams: { access_type: 'offline', prompt: 'consent' },
    hosts: { imap: 'imap.gmail.com', pop3: 'pop.gmail.com' },
  },
  microsoft: {
    // "common": work and school accounts and personal Outlook.com accounts alike; a single-tenant app sets
    // its tenant's issuer (https://login.microsoftonline.com/TENANT/v2.0) instead.
    issuer: 'https://login.microsoftonline.com/common/v2.0',
    scopes: (protocol) => [
      'openid', 'email', 'offline_access',
      protocol === 'pop3' ? 'https://outlook.office.com/POP.AccessAsUser.All' : 'https://outlook.office.com/IMAP.AccessAsUser.All',
    ],
    // offline_access alone brings the refresh token. prompt=consent would ask every user to consent
    // again, which a tenant that leaves consent to its admins refuses (AADSTS90094) even after the
    // admin consented; choosing the account is what helps there (a shared mailbox's delegate).
    authorizationParams: { prompt: 'select_account' },
    hosts: { imap: 'outlook.office365.com', pop3: 'outlook.office365.com' },
  },
  custom: {
    issuer: null,
    // A custom provider names its mail scope in the profile's scopes; these are only the identity ones.
    scopes: () => ['openid', 'email', 'offline_access'],
    // OpenID Connect providers grant offline_access only with prompt=consent (OpenID Connect Core §11).
    authorizationParams: { prompt: 'consent' },
    hosts: {},
  },
};

/** The provider's mail server for this protocol, or null when the profile must name one. */
export function presetHost(provider: OAuthProvider, protocol: Protocol): string | null {
  return OAUTH_PRESETS[provider].hosts[protocol] ?? null;
}

/** The scopes a profile asks for: its own list when it has one, else the preset's for its protocol. */
export function requestedScopes(provider: OAuthProvider, protocol: Protocol, own?: string): string[] {
  const scopes = own ? own.split(/\s+/).filter(Boolean) : OAUTH_PRESETS[provider].scopes(protocol);
  return [...new Set(scopes)];
}

/** The scopes that give access to mail: what Check Connection insists were granted. */
export function mailScopes(scopes: readonly string[]): string[] {
  return scopes.filter((s) => !IDENTITY_SCOPES.has(s));
}
