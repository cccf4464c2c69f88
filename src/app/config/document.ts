// The configuration document of `mailbind config export|apply`: companies, projects, teams, users and
// profiles with their rules, as one YAML file. This schema checks its shape; what the values mean (a
// mailbox's settings, a rule's words, a domain) is checked by the same code that checks them anywhere
// else (config/plan.ts), so a file and the API refuse the same things with the same words.
//
// Projects and teams carry their id: rules name them by id ("attach to project 2"), so a file applied
// to another database must give them the same ids for its rules to mean the same. Requesters are not
// here: they are data, made by mail as it arrives, not configuration an admin writes.
import { z } from 'zod';
import { threadingSettingsSchema } from '../threading-schema.js';

const name = z.string().trim().min(1, 'Name should not be empty');
const id = z.number().int('An id is a whole number').positive('An id is a positive number');

export const companyEntry = z.strictObject({
  name,
  domains: z.array(z.string()).default([]),
});

export const projectEntry = z.strictObject({
  id: id.optional(),
  name,
  /** The company's name. */
  company: z.string().trim().min(1, 'Company should not be empty; leave it out for none').optional(),
  /** Deleted projects stay (their items do): rules that target only them are skipped. */
  deleted: z.boolean().default(false),
});

export const teamEntry = z.strictObject({ id: id.optional(), name });

export const userEntry = z.strictObject({ email: z.string(), name });

export const profileEntry = z.strictObject({
  name: z.string(),
  /**
   * The mailbox settings as `profile add` takes them, but never the password: `passwordEnv` names the
   * environment variable that holds it when the file is applied. Checked by the settings schema.
   */
  source: z.record(z.string(), z.unknown()).optional(),
  rules: z.string().default(''),
  /** How replies find their item and who may add to it; a setting left out is its default. */
  threading: threadingSettingsSchema.default(threadingSettingsSchema.parse({})),
  /**
   * Where the profile's mail is sent, as `profile add --smtp-*` takes it, never the password
   * (`passwordEnv`). Left out: the profile sends no mail.
   */
  smtp: z.record(z.string(), z.unknown()).optional(),
});

export const configDocument = z.strictObject({
  companies: z.array(companyEntry).default([]),
  projects: z.array(projectEntry).default([]),
  teams: z.array(teamEntry).default([]),
  users: z.array(userEntry).default([]),
  profiles: z.array(profileEntry).default([]),
});

export type ConfigDocument = z.output<typeof configDocument>;
export type CompanyEntry = z.output<typeof companyEntry>;
export type ProjectEntry = z.output<typeof projectEntry>;
export type TeamEntry = z.output<typeof teamEntry>;
export type UserEntry = z.output<typeof userEntry>;
export type ProfileEntry = z.output<typeof profileEntry>;

/** ['profiles', 0, 'source', 'host'] → 'profiles[0].source.host': how errors name a place in the file. */
export function yamlPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/** The environment variable an exported profile's password is expected in: MAILBIND_PASSWORD_<NAME>. */
export function passwordEnvFor(profileName: string): string {
  return `MAILBIND_PASSWORD_${profileName.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '')}`;
}

/** The environment variable an exported profile's OAuth2 client secret is expected in: MAILBIND_OAUTH_CLIENT_SECRET_<NAME>. */
export function clientSecretEnvFor(profileName: string): string {
  return `MAILBIND_OAUTH_CLIENT_SECRET_${profileName.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '')}`;
}
