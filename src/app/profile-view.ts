// What may be shown of a profile, to anyone: never the password, not even sealed. Every face gets
// profiles only through toProfileView.
import type { SourceSettings } from '../sources/settings.js';
import { presetHost } from '../sources/oauth/presets.js';
import { defaultPort } from '../sources/settings-core.js';
import type { SignInStatus } from '../store/oauth-tokens.js';
import type { Profile } from '../store/profiles.js';
import type { ThreadingSettings } from '../store/threading-settings.js';
import { smtpView, type SmtpView } from '../store/smtp-settings.js';

/** The mailbox settings as shown: the stored ones without the password and client secret, plus whether each is set. */
export type MailboxView = Omit<SourceSettings, 'password' | 'oauthClientSecret'> & {
  hasPassword: boolean;
  hasClientSecret: boolean;
  /** The server in use: the one set, or an OAuth2 provider's (imap.gmail.com); null when none is known. */
  effectiveHost: string | null;
  /** The port in use: the one set, or the default for the protocol and TLS mode. */
  effectivePort: number | null;
};

export interface ProfileView {
  id: number;
  name: string;
  rules: string;
  /** How many rules the text holds (comment and blank lines do not count). */
  ruleCount: number;
  /** null for a profile that only takes imported mail. */
  source: MailboxView | null;
  /** The rules history version the rules are (see rules-history.ts). */
  rulesVersion: number | null;
  /** How replies find their item and who may add to it (docs/conversations.md). */
  threading: ThreadingSettings;
  /** Where its mail is sent (acknowledgements, rule replies), never with the password; null: it sends none. */
  smtp: SmtpView | null;
  /** An OAuth2 mailbox's sign-in, never a token; null: never signed in, or the mailbox uses a password. */
  signIn: SignInView | null;
  createdAt: string;
  updatedAt: string;
}

/** What may be shown of a sign-in: who, since when, and how its tokens fare; never a token. */
export interface SignInView {
  account: string;
  /** ok | failing (a refresh failed, retried) | stopped (sign in again). */
  state: SignInStatus['state'];
  signedInAt: string;
  refreshedAt: string | null;
  accessExpiresAt: string;
  hasRefreshToken: boolean;
  scope: string | null;
  lastError: string | null;
  failingSince: string | null;
}

/** `signIn`: the profile's sign-in as stored (store/oauth-tokens.ts signInStatus), if any. */
export function toProfileView(profile: Profile, signIn: SignInStatus | null = null): ProfileView {
  return {
    id: profile.id,
    name: profile.name,
    rules: profile.rules,
    ruleCount: profile.rules.split(/\r\n|\r|\n/).filter((l) => l.trim() && !l.trim().startsWith('#')).length,
    source: profile.source ? mailboxView(profile.source) : null,
    rulesVersion: profile.rulesVersion,
    threading: { ...profile.threading },
    smtp: smtpView(profile.smtp),
    signIn: profile.source?.auth === 'oauth2' && signIn ? signInView(signIn) : null,
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
  };
}

function mailboxView(source: SourceSettings): MailboxView {
  const { password, oauthClientSecret, ...rest } = source;
  return {
    ...rest,
    hasPassword: typeof password === 'string' && password.length > 0,
    hasClientSecret: typeof oauthClientSecret === 'string' && oauthClientSecret.length > 0,
    effectiveHost: source.host ?? (source.auth === 'oauth2' && source.oauthProvider ? presetHost(source.oauthProvider, source.protocol) : null),
    effectivePort: source.port ?? defaultPort(source.protocol, source.tls),
  };
}

function signInView(s: SignInStatus): SignInView {
  return {
    account: s.account,
    state: s.state,
    signedInAt: s.signedInAt,
    refreshedAt: s.refreshedAt,
    accessExpiresAt: s.accessExpiresAt,
    hasRefreshToken: s.hasRefreshToken,
    scope: s.scope,
    lastError: s.lastError,
    failingSince: s.failingSince,
  };
}
