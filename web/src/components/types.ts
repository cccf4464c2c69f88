// The API's shapes the pages use (the OpenAPI document at /api/v1/openapi.json has them all).
export interface Mailbox {
  protocol: 'pop3' | 'imap' | 'pipe';
  host?: string;
  port?: number;
  tls: 'none' | 'starttls' | 'tls';
  allowInvalidCertificate: boolean;
  login?: string;
  folder: string;
  pollSeconds: number;
  idle: boolean;
  afterImport?: string;
  afterOther?: string;
  firstRun: string;
  maxMessageBytes: number;
  address?: string;
  hasPassword: boolean;
  effectivePort: number | null;
  /** password (the default) or oauth2: tokens from a sign-in at the provider. */
  auth?: AuthMethod;
  oauthProvider?: OAuthProvider;
  oauthClientId?: string;
  oauthIssuer?: string;
  oauthAuthorizationUrl?: string;
  oauthTokenUrl?: string;
  oauthScopes?: string;
  /** The client secret is write-only: only whether one is stored. */
  hasClientSecret?: boolean;
}

export type AuthMethod = 'password' | 'oauth2';
export type OAuthProvider = 'google' | 'microsoft' | 'custom';

/** An OAuth2 mailbox's sign-in as anyone may see it: never a token. */
export interface SignIn {
  /** The account signed in (the ID token's email). */
  account: string;
  /** ok; failing: refreshes fail but may recover; stopped: only a new sign-in helps. */
  state: 'ok' | 'failing' | 'stopped';
  signedInAt: string;
  refreshedAt: string | null;
  accessExpiresAt: string;
  hasRefreshToken: boolean;
  scope: string | null;
  lastError: string | null;
  failingSince: string | null;
}

export interface Profile {
  id: number;
  name: string;
  rules: string;
  ruleCount: number;
  rulesVersion?: number | null;
  source: Mailbox | null;
  /** How replies find their item and who may add to it (docs/conversations.md). */
  threading: Threading;
  /** Where its mail (acknowledgements, rule replies) is sent; null: it sends none. */
  smtp: Smtp | null;
  /** An OAuth2 mailbox's sign-in; null (or absent) when never signed in or the mailbox uses a password. */
  signIn?: SignIn | null;
  createdAt: string;
  updatedAt: string;
}

export type ClosedReplies = 'comment' | 'reopen' | 'new-item';

export interface Threading {
  subjectTokens: boolean;
  companyMayReply: boolean;
  closedReplies: ClosedReplies;
  /** Messages from one sender that may reach the rules in an hour; 0: no limit. */
  rateLimitPerSenderHour: number;
  acknowledge: boolean;
}

export type SmtpTls = 'starttls' | 'tls' | 'none';

export interface Smtp {
  host: string;
  port?: number;
  tls: SmtpTls;
  allowInvalidCertificate: boolean;
  user?: string;
  fromAddress: string;
  fromName?: string;
  hasPassword: boolean;
  effectivePort: number;
}

export interface ProfileStatus {
  id: number;
  name: string;
  protocol: string | null;
  lastPollAt: string | null;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
  nextPollAt: string | null;
  consecutiveFailures: number;
  /** The first failure of the current streak (lastErrorAt is the latest); null while polls succeed. */
  failingSince: string | null;
  /** The messages the latest successful poll could not download (the first 20 listed); null when none. */
  downloadFailures: { total: number; first: Array<{ key: string; error: string; since: string }> } | null;
  backlog: number;
  counts: Record<string, number>;
  countsToday: Record<string, number>;
}

export interface CheckStep {
  step: string;
  ok: boolean;
  ms: number;
  message: string;
  field: string | null;
}
