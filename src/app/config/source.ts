// A profile's `source` in a configuration file: the mailbox settings `profile add` takes, checked by the
// same settings schema, with the password read from the environment variable `passwordEnv` names.
import { PROTOCOLS, sourceSettingsSchema, type SourceSettings } from '../../sources/settings.js';
import type { FieldError } from '../errors.js';
import { yamlPath } from './document.js';

const KNOWN = new Set([...Object.keys(sourceSettingsSchema.shape).filter((k) => k !== 'password'), 'passwordEnv']);

/** The settings with their password in plain text, or undefined when any problem was reported. */
export function sourceFromFile(
  source: Record<string, unknown>,
  at: ReadonlyArray<PropertyKey>,
  env: NodeJS.ProcessEnv,
  problems: FieldError[],
): SourceSettings | undefined {
  const fail = (key: string, message: string) => problems.push({ field: yamlPath([...at, key]), message });
  const before = problems.length;
  // A password given in the file is refused below, and never used.
  const { passwordEnv, password: _refused, ...settings } = source;
  for (const key of Object.keys(source)) {
    if (key === 'password') fail(key, 'a password does not belong in this file: put it in an environment variable and name that with passwordEnv');
    else if (!KNOWN.has(key)) fail(key, `'${key}' is not a mailbox setting`);
  }
  let plain: string | undefined;
  if (passwordEnv !== undefined) {
    if (typeof passwordEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(passwordEnv)) {
      fail('passwordEnv', 'passwordEnv is the name of an environment variable, like MAILBIND_PASSWORD_SUPPORT');
    } else {
      plain = env[passwordEnv];
      if (plain === undefined) fail('passwordEnv', `the environment variable ${passwordEnv} is not set`);
    }
  }
  const result = sourceSettingsSchema.safeParse({ ...settings, ...(plain !== undefined ? { password: plain } : {}) });
  if (!result.success) {
    const named = new Set<string>();
    for (const issue of result.error.issues) {
      const field = yamlPath([...at, ...issue.path]);
      // One problem a setting is enough ("host is required" says what "needs a host" would say again).
      if (named.has(field)) continue;
      named.add(field);
      if (issue.path[0] === 'protocol') fail('protocol', `${settings.protocol === undefined ? 'a mailbox needs a protocol' : `'${String(settings.protocol)}' is not a protocol`}: choose one of ${PROTOCOLS.join(', ')}`);
      else if (issue.path[0] !== 'password') problems.push({ field, message: issue.message });
      // A missing variable was reported above; a missing passwordEnv is reported here, in the file's words.
      else if (passwordEnv === undefined) fail('passwordEnv', `a ${String(settings.protocol)} mailbox needs passwordEnv: the environment variable that holds its password`);
    }
  }
  return problems.length === before && result.success ? result.data : undefined;
}
