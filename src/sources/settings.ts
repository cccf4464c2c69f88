// A profile's source settings: how mailbind reaches its mailbox and what it does there afterwards.
// Validated with zod so that the CLI, the API and stored JSON share one definition and one set of
// messages naming the field to fix.
import { z } from 'zod';
import { presetHost } from './oauth/presets.js';
import {
  AUTH_METHODS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_POLL_SECONDS,
  defaultPort,
  OAUTH_PROVIDERS,
  PROTOCOLS,
  SettingsError,
  TLS_MODES,
  type Protocol,
  type TlsMode,
} from './settings-core.js';

export * from './settings-core.js';

/** What happens on the server to a message once its outcome is recorded. */
export type AfterAction = { kind: 'leave' } | { kind: 'seen' } | { kind: 'delete' } | { kind: 'move'; folder: string };
/** Which mail a new profile takes: only what arrives after it was created, since a date, or all. */
export type FirstRun = { kind: 'from-now' } | { kind: 'all' } | { kind: 'since'; date: string };

export function parseAfterAction(text: string): AfterAction {
  const value = text.trim();
  if (value === 'leave' || value === 'seen' || value === 'delete') return { kind: value };
  const move = /^move:(.+)$/.exec(value);
  if (move?.[1]?.trim()) return { kind: 'move', folder: move[1].trim() };
  throw new Error(`'${text}' is not one of leave, seen, move:FOLDER, delete`);
}

export function afterActionText(a: AfterAction): string {
  return a.kind === 'move' ? `move:${a.folder}` : a.kind;
}

export function parseFirstRun(text: string): FirstRun {
  const value = text.trim();
  if (value === 'from-now' || value === 'all') return { kind: value };
  const since = /^since:(\d{4}-\d{2}-\d{2})$/.exec(value);
  if (since && !Number.isNaN(Date.parse(since[1]!))) return { kind: 'since', date: since[1]! };
  throw new Error(`'${text}' is not one of from-now, all, since:YYYY-MM-DD`);
}

const afterAction = z.string().transform((v, ctx) => {
  try {
    return afterActionText(parseAfterAction(v));
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

const firstRun = z.string().transform((v, ctx) => {
  try {
    const parsed = parseFirstRun(v);
    return parsed.kind === 'since' ? `since:${parsed.date}` : parsed.kind;
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

/** An http(s) URL, as the OAuth2 endpoints and issuer must be. */
const httpUrl = z.string().trim().refine((v) => {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}, 'should be a URL starting with https://');

/** Settings as stored (password and client secret encrypted) and as accepted from the CLI/API (plain). */
export const sourceSettingsSchema = z
  .object({
    protocol: z.enum(PROTOCOLS),
    host: z.string().trim().min(1, 'Server should not be empty').optional(),
    port: z.number().int().min(1).max(65535).optional(),
    tls: z.enum(TLS_MODES).default('tls'),
    allowInvalidCertificate: z.boolean().default(false),
    login: z.string().min(1, 'Login should not be empty').optional(),
    password: z.string().optional(),
    /** password (the default) or oauth2: tokens from a sign-in at the provider (sources/oauth/). */
    auth: z.enum(AUTH_METHODS).default('password'),
    oauthProvider: z.enum(OAUTH_PROVIDERS).optional(),
    oauthClientId: z.string().trim().min(1, 'Client ID should not be empty').optional(),
    /** Sealed at rest like the password; optional for public clients (PKCE alone). */
    oauthClientSecret: z.string().optional(),
    /** The provider's issuer URL (discovery); for the presets, a tenant's own issuer instead of the default. */
    oauthIssuer: httpUrl.optional(),
    /** For a custom provider without discovery: both endpoints. */
    oauthAuthorizationUrl: httpUrl.optional(),
    oauthTokenUrl: httpUrl.optional(),
    /** Space-separated scopes to ask for instead of the preset's (custom providers name their mail scope here). */
    oauthScopes: z.string().trim().min(1).optional(),
    folder: z.string().trim().min(1).default('INBOX'),
    pollSeconds: z.number().int().min(5, 'the poll interval is at least 5 seconds').max(86_400).default(DEFAULT_POLL_SECONDS),
    idle: z.boolean().default(true),
    afterImport: afterAction.optional(),
    afterOther: afterAction.optional(),
    firstRun: firstRun.default('from-now'),
    maxMessageBytes: z.number().int().min(1024).default(DEFAULT_MAX_MESSAGE_BYTES),
    /** Our own address on this mailbox (never a requester); defaults to the login when it is one. */
    address: z.string().optional(),
  })
  .superRefine((s, ctx) => {
    if (s.protocol === 'pipe') return;
    const oauth = s.auth === 'oauth2';
    // Words for a person at a form or a command line alike; the CLI names its flags in its help.
    if (!s.host && !(oauth && s.oauthProvider && presetHost(s.oauthProvider, s.protocol))) {
      ctx.addIssue({ code: 'custom', path: ['host'], message: `Server should not be empty: a ${s.protocol} mailbox needs its server's host name` });
    }
    // An OAuth2 mailbox learns its login from the sign-in (the account's email).
    if (!s.login && !oauth) ctx.addIssue({ code: 'custom', path: ['login'], message: `Login should not be empty: a ${s.protocol} mailbox needs the login of the mailbox` });
    if (!s.password && !oauth) ctx.addIssue({ code: 'custom', path: ['password'], message: `Password should not be empty: a ${s.protocol} mailbox needs its password` });
    if (oauth) {
      if (!s.oauthProvider) ctx.addIssue({ code: 'custom', path: ['oauthProvider'], message: `Provider should be chosen: ${OAUTH_PROVIDERS.join(', ')}` });
      if (!s.oauthClientId) ctx.addIssue({ code: 'custom', path: ['oauthClientId'], message: 'Client ID should not be empty: copy it from the app registered at the provider (docs/oauth.md)' });
      if (s.oauthProvider === 'custom' && !s.oauthIssuer && !s.oauthAuthorizationUrl && !s.oauthTokenUrl) {
        ctx.addIssue({ code: 'custom', path: ['oauthIssuer'], message: 'Issuer URL should be given for a custom provider (or both its authorization and token endpoints)' });
      }
      if (!!s.oauthAuthorizationUrl !== !!s.oauthTokenUrl) {
        const missing = s.oauthAuthorizationUrl ? 'oauthTokenUrl' : 'oauthAuthorizationUrl';
        ctx.addIssue({ code: 'custom', path: [missing], message: 'the authorization and token endpoints go together: give both, or neither (discovery from the issuer)' });
      }
    }
    if (s.protocol === 'pop3') {
      for (const key of ['afterImport', 'afterOther'] as const) {
        const v = s[key];
        if (v && (v === 'seen' || v.startsWith('move:'))) {
          ctx.addIssue({ code: 'custom', path: [key], message: `POP3 can only leave or delete messages, not '${v}'` });
        }
      }
    }
  });

export type SourceSettingsInput = z.input<typeof sourceSettingsSchema>;
export type SourceSettings = z.output<typeof sourceSettingsSchema>;

/** Settings with defaults resolved, as the sources use them. */
export interface ResolvedSettings {
  protocol: Protocol;
  host: string;
  port: number;
  tls: TlsMode;
  allowInvalidCertificate: boolean;
  login: string;
  password: string;
  /** An OAuth2 mailbox's access token: present, the sources log in with it (XOAUTH2/OAUTHBEARER), not the password. */
  accessToken?: string;
  folder: string;
  pollSeconds: number;
  idle: boolean;
  afterImport: AfterAction;
  afterOther: AfterAction;
  firstRun: FirstRun;
  maxMessageBytes: number;
  address: string | null;
}

export function validateSettings(input: unknown): SourceSettings {
  const result = sourceSettingsSchema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({ field: issue.path.length ? String(issue.path[0]) : '', message: issueMessage(issue) }));
  const first = fields[0]!;
  throw new SettingsError(
    fields.map((f) => (f.field ? `${f.field}: ${f.message}` : f.message)).join('; '),
    first.field || null,
    fields.filter((f) => f.field),
  );
}

/** zod's own wording for a wrong type or choice, said for a person. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') return `choose one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_type') return `should be ${issue.expected === 'number' ? 'a number' : issue.expected === 'boolean' ? 'true or false' : `a ${issue.expected}`}`;
  return issue.message;
}

/** Fill in defaults; the password must already be decrypted; `accessToken` for an OAuth2 mailbox. */
export function resolveSettings(s: SourceSettings, password: string, accessToken?: string): ResolvedSettings {
  const defaultAfter: AfterAction = s.protocol === 'imap' ? { kind: 'seen' } : { kind: 'leave' };
  return {
    protocol: s.protocol,
    host: s.host ?? (s.auth === 'oauth2' && s.oauthProvider ? presetHost(s.oauthProvider, s.protocol) : null) ?? '',
    port: s.port ?? defaultPort(s.protocol, s.tls) ?? 0,
    tls: s.tls,
    allowInvalidCertificate: s.allowInvalidCertificate,
    login: s.login ?? '',
    password,
    ...(accessToken !== undefined ? { accessToken } : {}),
    folder: s.folder,
    pollSeconds: s.pollSeconds,
    idle: s.idle,
    afterImport: s.afterImport ? parseAfterAction(s.afterImport) : defaultAfter,
    afterOther: s.afterOther ? parseAfterAction(s.afterOther) : defaultAfter,
    firstRun: parseFirstRun(s.firstRun),
    maxMessageBytes: s.maxMessageBytes,
    address: s.address ?? (s.login?.includes('@') ? s.login : null),
  };
}
