// A profile's `smtp` in a configuration file: the SMTP settings `profile add` takes, checked by the same
// schema, with the password read from the environment variable `passwordEnv` names (never the file).
import { smtpSettingsSchema, type SmtpSettings } from '../../store/smtp-settings.js';
import type { FieldError } from '../errors.js';
import { settingsFromFile } from './settings-with-secret.js';

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
  return settingsFromFile(smtp, at, env, problems, {
    schema: smtpSettingsSchema,
    settingWords: 'an SMTP setting',
    envExample: 'MAILBIND_SMTP_PASSWORD_SUPPORT',
    // A missing variable was reported already; a missing passwordEnv is reported here.
    explain: (issue, _settings, needsPasswordEnv) =>
      issue.path[0] !== 'password' ? undefined
      : needsPasswordEnv ? { key: 'passwordEnv', message: 'an SMTP user needs passwordEnv: the environment variable that holds its password' }
      : null,
  });
}
