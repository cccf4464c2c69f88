// `mailbind profile …`: profiles (a mailbox + its rules): add, update, list, show, set-rules, check,
// status. Passwords come from the environment or stdin, are stored encrypted, and are never printed.
import { Command } from 'commander';
import { checkRulesForSave } from '../engine/profile-rules.js';
import { checkConnection } from '../sources/check.js';
import { mergeStoredSettings, publicSettings, runtimeSettings, settingsToStore } from '../sources/profile-settings.js';
import { SettingsError, type SourceSettingsInput } from '../sources/settings.js';
import { getStatus, updateStatus } from '../sources/status.js';
import { Pop3Source } from '../sources/pop3/source.js';
import { countByOutcome } from '../store/inbox.js';
import { createProfile, getProfile, listProfiles, updateProfile, type Profile } from '../store/profiles.js';
import { SecretBox } from '../store/secrets.js';
import { action, common, printJson, UserError, withStore, type CommonOptions } from './context.js';
import { printCheck } from './check-output.js';
import { printWarnings, readRulesFile, RulesInvalidError } from './rules-file.js';
import { addSourceOptions, sourceInputFromOptions } from './source-options.js';
import type { Store } from '../store/database.js';

type Opts = CommonOptions & Record<string, any>;

/** What may be shown of a profile: never a password, even encrypted. */
export function publicProfile(profile: Profile) {
  return {
    id: profile.id,
    name: profile.name,
    rules: profile.rules,
    source: publicSettings(profile.source),
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
  };
}

async function validRules(store: Store, file: string): Promise<string> {
  const rules = readRulesFile(file);
  const check = await checkRulesForSave(store.db, rules);
  if (check.errors.length) throw new RulesInvalidError(check.errors, file);
  printWarnings(check.warnings, file);
  return rules;
}

function storedSource(input: Partial<SourceSettingsInput>, store: Store, current?: Record<string, unknown>): Record<string, unknown> {
  try {
    const secrets = SecretBox.forDataDir(store.dataDir);
    if (current) return mergeStoredSettings(current, input, secrets);
    return input.protocol ? settingsToStore(input as SourceSettingsInput, secrets) : {};
  } catch (error) {
    if (error instanceof SettingsError) throw new UserError(error.message);
    throw error;
  }
}

function mailboxIdentity(source: Record<string, unknown>): string {
  return JSON.stringify([source.protocol, String(source.host ?? '').toLowerCase(), source.port, String(source.login ?? '').toLowerCase(), source.folder]);
}

/** POP3 "from-now": remember what is in the mailbox now; if the server can't be reached, the first poll does. */
async function takeBaselineNow(store: Store, profile: Profile): Promise<void> {
  if (profile.source.protocol !== 'pop3') return;
  const settings = runtimeSettings(profile, SecretBox.forDataDir(store.dataDir));
  if (!settings || settings.firstRun.kind !== 'from-now') return;
  try {
    await new Pop3Source({ timeoutMs: 10_000 }).takeBaseline({ store, profile, settings });
  } catch (error) {
    process.stderr.write(`mailbind: could not reach the mailbox now (${(error as Error).message}); mail in it at the first successful poll will count as old\n`);
  }
}

export function profileCommand(): Command {
  const profile = new Command('profile').description('profiles: one mailbox and its rules');

  addSourceOptions(common(profile.command('add [name]').description('add a profile')))
    .option('--name <name>', 'profile name (letters, digits, space, dot, dash, underscore)')
    .option('--rules-file <file>', 'the rules, one per line')
    .action(
      action(async (positional: string | undefined, opts: Opts) => {
        const name = positional ?? opts.name;
        if (!name) throw new UserError('a profile needs a name: mailbind profile add NAME (or --name NAME)');
        const input = sourceInputFromOptions(opts);
        if (!input.protocol && Object.keys(input).length) throw new UserError('mailbox settings need --protocol pop3, imap or pipe');
        await withStore(opts, async (store) => {
          const rules = opts.rulesFile ? await validRules(store, opts.rulesFile) : '';
          const created = await createProfile(store.db, { name, rules, source: storedSource(input, store) });
          await takeBaselineNow(store, created);
          if (opts.json) printJson(publicProfile(created));
          else process.stdout.write(`${created.id}\n`);
        });
      }),
    );

  addSourceOptions(common(profile.command('update <name>').description("change a profile's mailbox settings or rules")))
    .option('--rules-file <file>', 'replace the rules')
    .action(
      action(async (name: string, opts: Opts) => {
        const input = sourceInputFromOptions(opts);
        await withStore(opts, async (store) => {
          const existing = await getProfile(store.db, name);
          const rules = opts.rulesFile ? await validRules(store, opts.rulesFile) : undefined;
          const changes: { rules?: string; source?: Record<string, unknown> } = {};
          if (rules !== undefined) changes.rules = rules;
          if (Object.keys(input).length) {
            if (!existing.source.protocol && !input.protocol) throw new UserError('mailbox settings need --protocol pop3, imap or pipe');
            changes.source = storedSource(input, store, existing.source);
          }
          const updated = await updateProfile(store.db, existing.id, changes);
          if (changes.source && mailboxIdentity(changes.source) !== mailboxIdentity(existing.source)) {
            // Another mailbox: its mail is new to this profile, so the first-run policy applies again.
            await updateStatus(store.db, existing.id, { baselineAt: null, cursor: null });
            await takeBaselineNow(store, updated);
          }
          if (opts.json) printJson(publicProfile(updated));
        });
      }),
    );

  common(profile.command('list').description('list profiles'))
    .action(
      action(async (opts: Opts) =>
        withStore(opts, async (store) => {
          const profiles = (await listProfiles(store.db)).map(publicProfile);
          if (opts.json) printJson(profiles);
          else for (const p of profiles) process.stdout.write(`${p.id}\t${p.name}\t${(p.source.protocol as string) ?? 'import only'}\t${p.rules.split(/\r\n|\r|\n/).filter((l) => l.trim() && !l.trim().startsWith('#')).length} rules\n`);
        }),
      ),
    );

  common(profile.command('show <name>').description('show a profile, its settings (never the password) and rules'))
    .action(
      action(async (name: string, opts: Opts) =>
        withStore(opts, async (store) => {
          const p = publicProfile(await getProfile(store.db, name));
          if (opts.json) printJson(p);
          else process.stdout.write(`${p.id}\t${p.name}\t${JSON.stringify(p.source)}\n${p.rules}${p.rules.endsWith('\n') || !p.rules ? '' : '\n'}`);
        }),
      ),
    );

  common(profile.command('set-rules <name> <file>').description('replace the rules; refused with every error if any line is invalid'))
    .action(
      action(async (name: string, file: string, opts: Opts) => {
        await withStore(opts, async (store) => {
          const existing = await getProfile(store.db, name);
          const updated = await updateProfile(store.db, existing.id, { rules: await validRules(store, file) });
          if (opts.json) printJson(publicProfile(updated));
        });
      }),
    );

  common(profile.command('check <name>').description("check a saved profile's mailbox connection step by step"))
    .action(
      action(async (name: string, opts: Opts) => {
        await withStore(opts, async (store) => {
          const p = await getProfile(store.db, name);
          const settings = runtimeSettings(p, SecretBox.forDataDir(store.dataDir));
          if (!settings) throw new UserError(`profile '${p.name}' has no mailbox (it only takes imported mail)`);
          const result = await checkConnection(settings, {}, opts.json ? undefined : printCheck);
          if (opts.json) printJson(result);
          if (!result.ok) process.exitCode = 1;
        });
      }),
    );

  common(profile.command('status [name]').description('last success, last error, next poll and counts by outcome'))
    .action(
      action(async (name: string | undefined, opts: Opts) => {
        await withStore(opts, async (store) => {
          const profiles = name ? [await getProfile(store.db, name)] : await listProfiles(store.db);
          const rows = [];
          for (const p of profiles) {
            const status = await getStatus(store.db, p.id);
            rows.push({
              id: p.id,
              name: p.name,
              protocol: (p.source.protocol as string | undefined) ?? null,
              lastSuccessAt: status.lastSuccessAt,
              lastErrorAt: status.lastErrorAt,
              lastError: status.lastError,
              nextPollAt: status.nextPollAt,
              consecutiveFailures: status.consecutiveFailures,
              counts: await countByOutcome(store.db, p.id),
            });
          }
          if (opts.json) printJson(name ? rows[0] : rows);
          else for (const r of rows) {
            process.stdout.write(`${r.name} (${r.protocol ?? 'import only'}): last success ${r.lastSuccessAt ?? 'never'}; ` +
              `${r.lastError ? `last error ${r.lastErrorAt}: ${r.lastError}; ` : ''}next poll ${r.nextPollAt ?? '-'}; ` +
              `${Object.entries(r.counts).map(([k, v]) => `${v} ${k}`).join(', ') || 'no messages'}\n`);
          }
        });
      }),
    );
  return profile;
}
