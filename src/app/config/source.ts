// A profile's `source` in a configuration file: the mailbox settings `profile add` takes, checked by the
// same settings schema, with the password read from the environment variable `passwordEnv` names.
import { PROTOCOLS, sourceSettingsSchema, type SourceSettings } from '../../sources/settings.js';
import type { FieldError } from '../errors.js';
import { settingsFromFile } from './settings-with-secret.js';

/** The settings with their password in plain text, or undefined when any problem was reported. */
export function sourceFromFile(
  source: Record<string, unknown>,
  at: ReadonlyArray<PropertyKey>,
  env: NodeJS.ProcessEnv,
  problems: FieldError[],
): SourceSettings | undefined {
  return settingsFromFile(source, at, env, problems, {
    schema: sourceSettingsSchema,
    settingWords: 'a mailbox setting',
    envExample: 'MAILBIND_PASSWORD_SUPPORT',
    otherSecrets: [{ key: 'oauthClientSecret', env: 'oauthClientSecretEnv' }],
    explain: (issue, settings, needsPasswordEnv) => {
      if (issue.path[0] === 'protocol') {
        const message = `${settings['protocol'] === undefined ? 'a mailbox needs a protocol' : `'${String(settings['protocol'])}' is not a protocol`}: choose one of ${PROTOCOLS.join(', ')}`;
        return { key: 'protocol', message };
      }
      if (issue.path[0] !== 'password') return undefined;
      // A missing variable was reported already; a missing passwordEnv is reported here, in the file's words.
      return needsPasswordEnv ? { key: 'passwordEnv', message: `a ${String(settings['protocol'])} mailbox needs passwordEnv: the environment variable that holds its password` } : null;
    },
  });
}
