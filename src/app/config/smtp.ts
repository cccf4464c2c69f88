// A profile's `smtp` in a configuration file: the SMTP settings `profile add` takes, checked by the same
// schema, with the password read from the environment variable `passwordEnv` names (never the file).
import { smtpSettingsSchema, type SmtpSettings } from '../../store/smtp-settings.js';
import type { FieldError } from '../errors.js';
import { yamlPath } from './document.js';

const KNOWN = new Set([...Object.keys(smtpSettingsSchema.shape).filter((k) => k !== 'password'), 'passwordEnv']);

/** The environment variable an exported profile's SMTP password is expected in: MAILBIND_SMTP_PASSWORD_<NAME>. */
export function smtpPasswordEnvFor(profileName: string): string {
  return `MAILBIND_SMTP_PASSWORD_${profileName.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '')}`;
}

/** The settings with their password in plain text, or undefined when any problem was reported. */
export function smtpFromFile(
  smtp: Record<string, unknown>,
  at: ReadonlyArray<PropertyKey>,
  env: NodeJS.ProcessEnv,
  problems: FieldError[],
): SmtpSettings | undefined {
  const fail = (key: string, message: string) => problems.push({ field: yamlPath([...at, key]), message });
  const before = problems.length;
  const { passwordEnv, password: _refused, ...settings } = smtp;
  for (const key of Object.keys(smtp)) {
    if (key === 'password') fail(key, 'a password does not belong in this file: put it in an environment variable and name that with passwordEnv');
    else if (!KNOWN.has(key)) fail(key, `'${key}' is not an SMTP setting`);
  }
  let plain: string | undefined;
  if (passwordEnv !== undefined) {
    if (typeof passwordEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(passwordEnv)) {
      fail('passwordEnv', 'passwordEnv is the name of an environment variable, like MAILBIND_SMTP_PASSWORD_SUPPORT');
    } else {
      plain = env[passwordEnv];
      if (plain === undefined) fail('passwordEnv', `the environment variable ${passwordEnv} is not set`);
    }
  }
  const result = smtpSettingsSchema.safeParse({ ...settings, ...(plain !== undefined ? { password: plain } : {}) });
  if (!result.success) {
    const named = new Set<string>();
    for (const issue of result.error.issues) {
      const field = yamlPath([...at, ...issue.path]);
      if (named.has(field)) continue;
      named.add(field);
      if (issue.path[0] !== 'password') problems.push({ field, message: issue.message });
      else if (passwordEnv === undefined) fail('passwordEnv', 'an SMTP user needs passwordEnv: the environment variable that holds its password');
    }
  }
  return problems.length === before && result.success ? result.data : undefined;
}
