// A settings block of a configuration file whose password is named, never written: `passwordEnv` names
// the environment variable that holds it. Shared by a profile's mailbox (`source`) and its SMTP
// settings (`smtp`): both are checked by the schema `profile add` uses, with the same words.
import type { z } from 'zod';
import type { FieldError } from '../errors.js';
import { yamlPath } from './document.js';

export interface SecretBlock<T> {
  /** The settings' own schema (the one the API and the CLI check), with a `password` field. */
  schema: z.ZodType<T> & { shape: Record<string, unknown> };
  /** "a mailbox setting", "an SMTP setting": for "'x' is not …". */
  settingWords: string;
  /** An example variable name for the passwordEnv message. */
  envExample: string;
  /**
   * The problem for a schema issue, in the file's words, or undefined to report the schema's own
   * message. `needsPasswordEnv`: the issue is the password's and no passwordEnv was given.
   */
  explain(issue: z.core.$ZodIssue, settings: Record<string, unknown>, needsPasswordEnv: boolean): { key: string; message: string } | null | undefined;
}

/** The settings with their password in plain text, or undefined when any problem was reported. */
export function settingsFromFile<T>(
  block: Record<string, unknown>,
  at: ReadonlyArray<PropertyKey>,
  env: NodeJS.ProcessEnv,
  problems: FieldError[],
  kind: SecretBlock<T>,
): T | undefined {
  const known = new Set([...Object.keys(kind.schema.shape).filter((k) => k !== 'password'), 'passwordEnv']);
  const fail = (key: string, message: string) => problems.push({ field: yamlPath([...at, key]), message });
  const before = problems.length;
  // A password given in the file is refused below, and never used.
  const { passwordEnv, password: _refused, ...settings } = block;
  for (const key of Object.keys(block)) {
    if (key === 'password') fail(key, 'a password does not belong in this file: put it in an environment variable and name that with passwordEnv');
    else if (!known.has(key)) fail(key, `'${key}' is not ${kind.settingWords}`);
  }
  let plain: string | undefined;
  if (passwordEnv !== undefined) {
    if (typeof passwordEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(passwordEnv)) {
      fail('passwordEnv', `passwordEnv is the name of an environment variable, like ${kind.envExample}`);
    } else {
      plain = env[passwordEnv];
      if (plain === undefined) fail('passwordEnv', `the environment variable ${passwordEnv} is not set`);
    }
  }
  const result = kind.schema.safeParse({ ...settings, ...(plain !== undefined ? { password: plain } : {}) });
  if (!result.success) {
    const named = new Set<string>();
    for (const issue of result.error.issues) {
      const field = yamlPath([...at, ...issue.path]);
      // One problem a setting is enough ("host is required" says what "needs a host" would say again).
      if (named.has(field)) continue;
      named.add(field);
      const explained = kind.explain(issue, settings, issue.path[0] === 'password' && passwordEnv === undefined);
      if (explained === undefined) problems.push({ field, message: issue.message });
      else if (explained !== null) fail(explained.key, explained.message);
    }
  }
  return problems.length === before && result.success ? result.data : undefined;
}
