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
  /** Secrets besides the password, each named by its own variable (a mailbox's OAuth2 client secret). */
  otherSecrets?: ReadonlyArray<{ key: string; env: string }>;
}

/** The secrets a block may name: the password always, then the block's others. */
function secretsOf<T>(kind: SecretBlock<T>): Array<{ key: string; env: string }> {
  return [{ key: 'password', env: 'passwordEnv' }, ...(kind.otherSecrets ?? [])];
}

/** The settings with their password in plain text, or undefined when any problem was reported. */
export function settingsFromFile<T>(
  block: Record<string, unknown>,
  at: ReadonlyArray<PropertyKey>,
  env: NodeJS.ProcessEnv,
  problems: FieldError[],
  kind: SecretBlock<T>,
): T | undefined {
  const secrets = secretsOf(kind);
  const secretKeys = new Set(secrets.map((x) => x.key));
  const known = new Set([...Object.keys(kind.schema.shape).filter((k) => !secretKeys.has(k)), ...secrets.map((x) => x.env)]);
  const fail = (key: string, message: string) => problems.push({ field: yamlPath([...at, key]), message });
  const before = problems.length;
  // A secret written in the file is refused below, and never used.
  const settings = Object.fromEntries(Object.entries(block).filter(([key]) => !secretKeys.has(key) && !secrets.some((x) => x.env === key)));
  for (const key of Object.keys(block)) {
    const secret = secrets.find((x) => x.key === key);
    if (secret) fail(key, `a ${key === 'password' ? 'password' : 'secret'} does not belong in this file: put it in an environment variable and name that with ${secret.env}`);
    else if (!known.has(key)) fail(key, `'${key}' is not ${kind.settingWords}`);
  }
  const plain: Record<string, string> = {};
  for (const secret of secrets) {
    const name = block[secret.env];
    if (name === undefined) continue;
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      fail(secret.env, `${secret.env} is the name of an environment variable, like ${secret.key === 'password' ? kind.envExample : 'MAILBIND_OAUTH_CLIENT_SECRET_SUPPORT'}`);
    } else if (env[name] === undefined) {
      fail(secret.env, `the environment variable ${name} is not set`);
    } else {
      plain[secret.key] = env[name]!;
    }
  }
  const passwordEnv = block.passwordEnv;
  const result = kind.schema.safeParse({ ...settings, ...plain });
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
