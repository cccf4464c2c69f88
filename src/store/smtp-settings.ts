// A profile's SMTP settings: where its outgoing mail (acknowledgements, rule replies) is sent. One zod
// schema for the stored JSON, the API, the CLI and config as code. The password is sealed at rest
// exactly as the mailbox password is (SecretBox), and changing where it goes needs it again.
import { z } from 'zod';
import type { SecretBox } from './secrets.js';
import { defaultSmtpPort, resolveStoredSmtp, SMTP_TLS_MODES, SmtpSettingsError, type ResolvedSmtp } from './smtp-settings-core.js';

export * from './smtp-settings-core.js';

const address = z.string().trim().regex(/^[^\s@<>]+@[^\s@<>]+$/, 'should be an email address (name@domain)');

export const smtpSettingsSchema = z
  .object({
    host: z.string().trim().min(1, 'Server should not be empty'),
    port: z.number().int().min(1).max(65535).optional(),
    // STARTTLS by default: what submission servers (587) offer, and never plain text unless asked for.
    tls: z.enum(SMTP_TLS_MODES).default('starttls'),
    allowInvalidCertificate: z.boolean().default(false),
    /** No user: the server takes mail without AUTH (a relay that trusts our address). */
    user: z.string().min(1, 'User should not be empty').optional(),
    password: z.string().optional(),
    fromAddress: address,
    fromName: z.string().trim().max(200).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.user && !s.password) ctx.addIssue({ code: 'custom', path: ['password'], message: 'Password should not be empty: the SMTP user needs its password' });
  });

export type SmtpSettingsInput = z.input<typeof smtpSettingsSchema>;
/** As stored: the password sealed. */
export type SmtpSettings = z.output<typeof smtpSettingsSchema>;
/** A change as every face sends it: null clears a setting (back to its default, or none). */
export type SmtpChanges = { [K in keyof SmtpSettingsInput]?: SmtpSettingsInput[K] | null };


export function validateSmtp(input: unknown): SmtpSettings {
  const result = smtpSettingsSchema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({ field: issue.path.length ? String(issue.path[0]) : 'smtp', message: issueWords(issue) }));
  throw new SmtpSettingsError(`SMTP settings: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, fields);
}

function issueWords(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `no such setting (there are ${Object.keys(smtpSettingsSchema.shape).join(', ')})`;
  if (issue.code === 'invalid_value') return `choose one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_type') return issue.expected === 'boolean' ? 'should be true or false' : issue.expected === 'number' ? 'should be a number' : `should be a ${issue.expected}`;
  return issue.message;
}

/** The settings that say where the password goes: changing one of them needs the password again. */
const PASSWORD_DESTINATION = ['host', 'port', 'tls', 'allowInvalidCertificate', 'user'] as const;

function destination(s: SmtpChanges, key: (typeof PASSWORD_DESTINATION)[number]): unknown {
  const tls = s.tls ?? 'starttls';
  if (key === 'port') return s.port ?? defaultSmtpPort(tls);
  if (key === 'tls') return tls;
  if (key === 'allowInvalidCertificate') return s.allowInvalidCertificate ?? false;
  return key === 'host' ? (s.host ?? '').toLowerCase() : s[key] ?? null;
}

/**
 * Merge a change into the stored settings and seal the password. A null password clears it; a
 * missing one keeps the stored one unless the change sends it elsewhere (another server, port, TLS mode, certificate check or user):
 * then it must be given again, or anyone allowed to edit a profile could point it at their own server
 * and read the stored password (the same rule as the mailbox's, README "Decisions").
 */
export function mergeSmtpSettings(stored: SmtpSettings | null, changes: SmtpChanges, secrets: SecretBox): SmtpSettings {
  const current: SmtpChanges = stored ?? {};
  // `password: null` clears it: nothing stored is sent anywhere, so no destination check is needed,
  // and the sealed password does not linger after its user is gone. A user left needs a password.
  const clearing = changes.password === null;
  if (stored?.password && changes.password === undefined) {
    const next: SmtpChanges = { ...current, ...changes };
    const moved = PASSWORD_DESTINATION.filter((key) => changes[key] !== undefined && destination(next, key) !== destination(current, key));
    if (moved.length) {
      const message = `Password should be given again: the ${moved.join(', ')} changed, and the stored password is only ever sent where it was set for`;
      throw new SmtpSettingsError(`SMTP settings: password: ${message}`, [{ field: 'password', message }]);
    }
  }
  const plain = clearing ? undefined : changes.password ?? (stored?.password ? secrets.decrypt(stored.password) : undefined);
  const merged = Object.fromEntries(
    Object.entries({ ...current, ...changes, ...(plain !== undefined ? { password: plain } : {}) }).filter(([, v]) => v !== null && v !== undefined),
  );
  const valid = validateSmtp(merged);
  return { ...valid, ...(valid.password !== undefined ? { password: secrets.encrypt(valid.password) } : {}) };
}

/** Settings not saved (a form's Check Connection), plain password: validated and resolved. */
export function resolveUnsavedSmtp(input: SmtpChanges): ResolvedSmtp {
  const valid = validateSmtp(Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined)));
  return resolveStoredSmtp(valid, valid.password ?? '');
}

/** What may be shown: never the password, not even sealed. */
export type SmtpView = Omit<SmtpSettings, 'password'> & { hasPassword: boolean; effectivePort: number };

export function smtpView(s: SmtpSettings | null): SmtpView | null {
  if (!s) return null;
  const { password, ...rest } = s;
  return { ...rest, hasPassword: typeof password === 'string' && password.length > 0, effectivePort: s.port ?? defaultSmtpPort(s.tls) };
}
