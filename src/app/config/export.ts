// `mailbind config export`: the database's configuration as one YAML document, in id order so that the
// same database always gives the same bytes. Never a secret: a profile's password is replaced by the
// name of the environment variable `config apply` will read it from (MAILBIND_PASSWORD_<PROFILE>), a
// placeholder the admin sets. Rules are block literals, so they read as written.
import { Document, isScalar, Scalar, visit } from 'yaml';
import { sourceSettingsSchema } from '../../sources/settings.js';
import { listProfiles } from '../../store/profiles.js';
import { DEFAULT_THREADING, type ThreadingSettings } from '../../store/threading-settings.js';
import { listTracker } from '../../tracker/builtin/index.js';
import type { App } from '../app.js';
import { translated } from '../error-translation.js';
import { clientSecretEnvFor, passwordEnvFor } from './document.js';
import { smtpPasswordEnvFor } from './smtp.js';
import { smtpSettingsSchema } from '../../store/smtp-settings.js';

const HEADER = [
  ' mailbind configuration. Apply with `mailbind config apply FILE` (--dry-run shows the plan first).',
  ' Passwords and client secrets are not in this file: set each passwordEnv (and oauthClientSecretEnv) variable before applying.',
].join('\n');

/** Settings in the schema's order, without the secrets (password, OAuth2 client secret). */
const SETTING_KEYS = Object.keys(sourceSettingsSchema.shape).filter((k) => k !== 'password' && k !== 'oauthClientSecret');
const SMTP_KEYS = Object.keys(smtpSettingsSchema.shape).filter((k) => k !== 'password');

export function exportConfig(app: App): Promise<string> {
  return translated(async () => {
    const db = app.store.db;
    const companies = await listTracker(db, 'companies');
    const companyName = new Map(companies.map((c) => [c.id, c.name]));
    const projects = await listTracker(db, 'projects');
    const teams = await listTracker(db, 'teams');
    const users = await listTracker(db, 'users');
    const profiles = await listProfiles(db);

    const document = {
      companies: companies.map((c) => ({ name: c.name, ...(c.domains.length ? { domains: c.domains } : {}) })),
      projects: projects.map((p) => ({
        id: p.id,
        name: p.name,
        ...(p.companyId !== null ? { company: companyName.get(p.companyId) } : {}),
        ...(p.deleted ? { deleted: true } : {}),
      })),
      teams: teams.map((t) => ({ id: t.id, name: t.name })),
      users: users.map((u) => ({ email: u.email, name: u.name })),
      profiles: profiles.map((p) => {
        const stored = (p.source ?? {}) as Record<string, unknown>;
        const source = Object.fromEntries(SETTING_KEYS.filter((k) => stored[k] !== undefined).map((k) => [k, stored[k]]));
        if (stored.password) source.passwordEnv = passwordEnvFor(p.name);
        if (stored.oauthClientSecret) source.oauthClientSecretEnv = clientSecretEnvFor(p.name);
        // Only the settings that differ from their defaults: apply reads a missing one as its default.
        const keys = Object.keys(DEFAULT_THREADING) as Array<keyof ThreadingSettings>;
        const threading = Object.fromEntries(keys.filter((k) => p.threading[k] !== DEFAULT_THREADING[k]).map((k) => [k, p.threading[k]]));
        const storedSmtp = (p.smtp ?? {}) as Record<string, unknown>;
        const smtp = Object.fromEntries(SMTP_KEYS.filter((k) => storedSmtp[k] !== undefined).map((k) => [k, storedSmtp[k]]));
        if (storedSmtp.password) smtp.passwordEnv = smtpPasswordEnvFor(p.name);
        return {
          name: p.name,
          ...(p.source ? { source } : {}),
          ...(Object.keys(threading).length ? { threading } : {}),
          ...(p.smtp ? { smtp } : {}),
          ...(p.rules ? { rules: p.rules } : {}),
        };
      }),
    };
    const yaml = new Document(document);
    yaml.commentBefore = HEADER;
    visit(yaml, {
      Pair(_, pair) {
        if (isScalar(pair.key) && pair.key.value === 'rules' && isScalar(pair.value)) pair.value.type = Scalar.BLOCK_LITERAL;
      },
    });
    return yaml.toString({ lineWidth: 0 });
  });
}
