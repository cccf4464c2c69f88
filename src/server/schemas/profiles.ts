// The profile resources as the API speaks them. The mailbox password and the OAuth2 client secret are
// write-only: requests may carry `password` and `oauthClientSecret`, responses only `hasPassword` and
// `hasClientSecret`; tokens never appear, only what `signIn` says of them.
import { z } from '@hono/zod-openapi';
import { AUTH_METHODS, OAUTH_PROVIDERS, PROTOCOLS, TLS_MODES } from '../../app/source-input.js';
import { CLOSED_REPLIES } from '../../app/threading-input.js';
import { SMTP_TLS_MODES } from '../../app/smtp-input.js';

const threadingFields = {
  subjectTokens: z.boolean().openapi({ description: '`[#N]` / `[CODE-N]` in the subject binds a reply to item N (default false)' }),
  companyMayReply: z.boolean().openapi({ description: "anyone of a requester's company may add to the item (default false)" }),
  closedReplies: z.enum(CLOSED_REPLIES).openapi({ description: 'what a reply to a closed item does (default comment)' }),
  rateLimitPerSenderHour: z.number().int().min(0).openapi({ description: 'messages from one sender address that may reach the rules in an hour; the next are ignored as rate limited (default 20; 0 turns it off)' }),
  acknowledge: z.boolean().openapi({ description: "mail the sender the profile's `acknowledgement` template for each item made from new mail (default false; needs SMTP settings)" }),
};

export const Threading = z.object(threadingFields).openapi('Threading', { description: 'how replies find their item and who may add to it' });

/** Only the settings named change; `null` sets one back to its default. */
export const ThreadingInput = z
  .object(Object.fromEntries(Object.entries(threadingFields).map(([k, v]) => [k, v.nullable().optional()])))
  .strict()
  .openapi('ThreadingInput', { description: 'only the settings named change; `null` sets one back to its default' }) as z.ZodType<Record<string, unknown>>;

const sourceFields = {
  protocol: z.enum(PROTOCOLS).openapi({ example: 'imap' }),
  host: z.string().openapi({ example: 'imap.example.com' }),
  port: z.number().int().openapi({ example: 993 }),
  tls: z.enum(TLS_MODES),
  allowInvalidCertificate: z.boolean(),
  login: z.string().openapi({ example: 'support@example.com' }),
  folder: z.string().openapi({ example: 'INBOX' }),
  pollSeconds: z.number().int(),
  idle: z.boolean(),
  afterImport: z.string().openapi({ description: 'leave | seen | move:FOLDER | delete' }),
  afterOther: z.string().openapi({ description: 'leave | seen | move:FOLDER | delete' }),
  firstRun: z.string().openapi({ description: 'from-now | all | since:YYYY-MM-DD' }),
  maxMessageBytes: z.number().int(),
  address: z.string(),
  auth: z.enum(AUTH_METHODS).openapi({ description: 'password (default) or oauth2: the mailbox logs in with tokens from a sign-in at the provider' }),
  oauthProvider: z.enum(OAUTH_PROVIDERS).openapi({ description: 'google and microsoft know their endpoints, scopes and mail servers; custom needs an issuer URL (or both endpoints)' }),
  oauthClientId: z.string().openapi({ description: 'the client ID of the app registered at the provider (docs/oauth.md)' }),
  oauthIssuer: z.string().openapi({ description: "the provider's issuer URL (discovery); for microsoft, a tenant's own issuer", example: 'https://login.microsoftonline.com/TENANT/v2.0' }),
  oauthAuthorizationUrl: z.string().openapi({ description: 'for a provider without discovery: its authorization endpoint (with oauthTokenUrl)' }),
  oauthTokenUrl: z.string().openapi({ description: 'for a provider without discovery: its token endpoint (with oauthAuthorizationUrl)' }),
  oauthScopes: z.string().openapi({ description: "space-separated scopes to ask for instead of the preset's (a custom provider names its mail scope here)" }),
};

/**
 * Settings as sent: every field optional (an update changes only what it names), and every one but the
 * protocol may be `null`, which clears it back to its default; checked in full by the service.
 */
export const SourceInput = z
  .object({
    ...Object.fromEntries(
      Object.entries(sourceFields).map(([k, v]) => [k, k === 'protocol' ? v.optional() : v.nullable().optional()]),
    ),
    password: z.string().optional().openapi({ description: 'write-only; omit to keep the stored one', writeOnly: true }),
    oauthClientSecret: z.string().nullable().optional().openapi({ description: 'write-only; omit to keep the stored one (needed again when the provider, client ID, issuer or token endpoint change); null clears it (a public client, PKCE alone)', writeOnly: true }),
  })
  .openapi('MailboxSettingsInput', { description: 'only the settings named change; `null` clears one back to its default' }) as z.ZodType<Record<string, unknown>>;

const smtpFields = {
  host: z.string().openapi({ example: 'smtp.example.com' }),
  port: z.number().int().openapi({ description: 'default 587 (starttls), 465 (tls), 25 (none)' }),
  tls: z.enum(SMTP_TLS_MODES).openapi({ description: 'default starttls' }),
  allowInvalidCertificate: z.boolean(),
  user: z.string().openapi({ description: 'omit for a server that takes mail without a login' }),
  fromAddress: z.string().openapi({ example: 'support@example.com' }),
  fromName: z.string().openapi({ example: 'Example Support' }),
};

/** SMTP settings as sent: only those named change, `null` clears one; the password is write-only. */
export const SmtpInput = z
  .object({
    ...Object.fromEntries(Object.entries(smtpFields).map(([k, v]) => [k, v.nullable().optional()])),
    password: z.string().nullable().optional().openapi({ description: 'write-only; omit to keep the stored one (needed again when host, port, TLS, certificate check or user change); null clears it (with the user, or the user would have none)', writeOnly: true }),
  })
  .openapi('SmtpSettingsInput', { description: 'only the settings named change; `null` clears one back to its default' }) as z.ZodType<Record<string, unknown>>;

export const SmtpView = z
  .object({
    host: z.string(),
    port: z.number().int().optional(),
    tls: z.enum(SMTP_TLS_MODES),
    allowInvalidCertificate: z.boolean(),
    user: z.string().optional(),
    fromAddress: z.string(),
    fromName: z.string().optional(),
    hasPassword: z.boolean(),
    effectivePort: z.number().int(),
  })
  .openapi('Smtp', { description: "where the profile's mail (acknowledgements, rule replies) is sent; never the password" });

export const MailboxView = z
  .object({
    protocol: z.enum(PROTOCOLS),
    host: z.string().optional(),
    port: z.number().int().optional(),
    tls: z.enum(TLS_MODES),
    allowInvalidCertificate: z.boolean(),
    login: z.string().optional(),
    folder: z.string(),
    pollSeconds: z.number().int(),
    idle: z.boolean(),
    afterImport: z.string().optional(),
    afterOther: z.string().optional(),
    firstRun: z.string(),
    maxMessageBytes: z.number().int(),
    address: z.string().optional(),
    auth: z.enum(AUTH_METHODS),
    oauthProvider: z.enum(OAUTH_PROVIDERS).optional(),
    oauthClientId: z.string().optional(),
    oauthIssuer: z.string().optional(),
    oauthAuthorizationUrl: z.string().optional(),
    oauthTokenUrl: z.string().optional(),
    oauthScopes: z.string().optional(),
    hasPassword: z.boolean(),
    hasClientSecret: z.boolean().openapi({ description: 'an OAuth2 client secret is stored (it is never shown)' }),
    effectiveHost: z.string().nullable().openapi({ description: "the server in use: the one set, or the OAuth2 provider's (imap.gmail.com)" }),
    effectivePort: z.number().int().nullable(),
  })
  .openapi('Mailbox');

export const SignIn = z
  .object({
    account: z.string().openapi({ description: 'the account signed in (the ID token email)', example: 'support@example.com' }),
    state: z.enum(['ok', 'failing', 'stopped']).openapi({ description: 'ok; failing: a refresh failed and is retried; stopped: sign in again' }),
    signedInAt: z.string(),
    refreshedAt: z.string().nullable(),
    accessExpiresAt: z.string(),
    hasRefreshToken: z.boolean().openapi({ description: 'false: the provider granted no offline access, the sign-in ends with the access token' }),
    scope: z.string().nullable().openapi({ description: 'the scopes the provider granted, space-separated' }),
    lastError: z.string().nullable(),
    failingSince: z.string().nullable(),
  })
  .openapi('SignIn', { description: "an OAuth2 mailbox's sign-in; never a token" });

export const ProfileView = z
  .object({
    id: z.number().int(),
    name: z.string(),
    rules: z.string(),
    ruleCount: z.number().int(),
    source: MailboxView.nullable(),
    threading: Threading,
    smtp: SmtpView.nullable(),
    signIn: SignIn.nullable().openapi({ description: 'null: never signed in, or the mailbox logs in with a password' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Profile');

export const SignInStart = z
  .object({ url: z.string().openapi({ description: "the provider's address to open in the same browser; it comes back to /oauth/callback" }) })
  .openapi('SignInStart');

export const RuleWarning = z.object({ line: z.number(), column: z.number(), message: z.string() }).openapi('RuleWarning');

export const ProfileSaved = z
  .object({ profile: ProfileView, warnings: z.array(RuleWarning), notes: z.array(z.string()) })
  .openapi('ProfileSaved');

export const ProfileCreate = z
  .object({
    name: z.string().openapi({ example: 'support' }),
    rules: z.string().optional().openapi({ example: 'then attach to project 1 and create request in project 1' }),
    rulesComment: z.string().optional(),
    source: SourceInput.optional(),
    threading: ThreadingInput.optional(),
    smtp: SmtpInput.optional(),
  })
  .openapi('ProfileCreate');

export const ProfileUpdate = z
  .object({
    rules: z.string().optional(),
    rulesComment: z.string().optional(),
    source: SourceInput.optional(),
    threading: ThreadingInput.optional(),
    smtp: SmtpInput.nullable().optional().openapi({ description: 'null removes the SMTP settings: the profile sends no mail' }),
  })
  .openapi('ProfileUpdate');

export const TemplateView = z
  .object({
    name: z.string(),
    subject: z.string(),
    text: z.string(),
    html: z.string().nullable(),
    builtIn: z.boolean().openapi({ description: 'the built-in default, used until the profile saves its own under that name' }),
    updatedAt: z.string().nullable(),
  })
  .openapi('Template');

export const TemplateInput = z
  .object({
    subject: z.string().openapi({ example: 'Re: {{item.title}} [#{{item.id}}]' }),
    text: z.string(),
    html: z.string().nullable().optional(),
  })
  .openapi('TemplateInput', { description: 'placeholders: {{item.id}} {{item.kind}} {{item.title}} {{project.name}} {{item.link}} {{requester.name}}' });

export const CheckStep = z
  .object({ step: z.string(), ok: z.boolean(), ms: z.number(), message: z.string(), field: z.string().nullable() })
  .openapi('CheckStep');
export const CheckResult = z.object({ ok: z.boolean(), steps: z.array(CheckStep) }).openapi('CheckResult');
/** One line of the streamed check (application/x-ndjson): a step as it completes, then the verdict. */
export const CheckStreamLine = z
  .union([CheckStep, z.object({ ok: z.boolean() }), z.object({ error: z.string() })])
  .openapi('CheckStreamLine', { description: 'each step as it completes; the last line is {ok} (or {error} when the check broke off)' });

export const DownloadFailures = z
  .object({
    total: z.number().int().openapi({ description: 'how many messages could not be downloaded; `first` lists up to 20 of them' }),
    first: z.array(z.object({
      key: z.string().openapi({ description: "the message's origin key: imap:<folder>:<UIDVALIDITY>:<UID>, or pop3:<login>@<host>:<UIDL>" }),
      error: z.string(),
      since: z.string().openapi({ description: 'the first poll of the current run of polls that could not download it' }),
    })),
  })
  .openapi('DownloadFailures');

export const ProfileStatus = z
  .object({
    id: z.number().int(),
    name: z.string(),
    protocol: z.enum(PROTOCOLS).nullable(),
    lastPollAt: z.string().nullable(),
    lastSuccessAt: z.string().nullable(),
    lastErrorAt: z.string().nullable(),
    lastError: z.string().nullable(),
    nextPollAt: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    failingSince: z.string().nullable().openapi({ description: 'the first failure of the current streak of failed polls (lastErrorAt is the latest); null while polls succeed' }),
    downloadFailures: DownloadFailures.nullable().openapi({ description: 'the messages the latest successful poll found on the server and could not download (each stays there and is tried again by every poll); null when it downloaded all it found' }),
    backlog: z.number().int(),
    counts: z.record(z.string(), z.number()),
    countsToday: z.record(z.string(), z.number()),
    signIn: SignIn.nullable().openapi({ description: "an OAuth2 mailbox's sign-in; null for a password mailbox or one not signed in yet" }),
    signInSummary: z.string().nullable().openapi({
      description: 'the sign-in in words: "signed in as …", "refresh failing since … (the access token still works until …): …", "stopped: … — sign in again", "not signed in: …"; null for a password mailbox',
    }),
  })
  .openapi('ProfileStatus');
