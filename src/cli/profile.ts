// `mailbind profile …`: profiles (a mailbox + its rules): add, update, list, show, set-rules (alias
// rules), delete, check, check-smtp, template, status. Every rules change may carry a --comment for the rules history. Passwords come from the environment or stdin, are stored encrypted, and are never
// printed.
import { Command } from 'commander';
import type { ProfileSaved } from '../app/profiles.js';
import type { ProfileView } from '../app/profile-view.js';
import { userError } from '../app/errors.js';
import { cliPrincipal } from '../app/principal.js';
import { printCheckStep, reportCheck } from './check.js';
import { action, jsonOption, printJson, withApp, type Opts } from './context.js';
import { printWarnings, readRulesFile } from './rules-file.js';
import { addSourceOptions, sourceInputFromOptions } from './source-options.js';
import { addThreadingOptions, threadingInputFromOptions } from './threading-options.js';
import { addSmtpOptions, smtpInputFromOptions } from './smtp-options.js';
import { templateCommand } from './template.js';

const rulesFrom = (file: string | undefined, comment: string | undefined) =>
  file ? { text: readRulesFile(file), label: file, ...(comment !== undefined ? { comment } : {}) } : undefined;
const COMMENT = ['--comment <text>', 'why the rules changed (kept in the rules history)'] as const;

function reportSaved(saved: ProfileSaved, opts: { json?: boolean; rulesFile?: string }, print: () => void): void {
  if (opts.rulesFile) printWarnings(saved.warnings, opts.rulesFile);
  for (const note of saved.notes) process.stderr.write(`mailbind: ${note}\n`);
  if (opts.json) printJson(saved.profile);
  else print();
}

export function profileCommand(): Command {
  const profile = new Command('profile').description('profiles: one mailbox and its rules');

  addSmtpOptions(addThreadingOptions(addSourceOptions(jsonOption(profile.command('add [name]').description('add a profile')))))
    .option('--name <name>', 'profile name (letters, digits, space, dot, dash, underscore)')
    .option('--rules-file <file>', 'the rules, one per line')
    .option(...COMMENT)
    .action(
      action(async (positional: string | undefined, opts: Opts) => {
        const name = positional ?? opts.name;
        if (!name) throw userError('a profile needs a name: mailbind profile add NAME (or --name NAME)');
        const source = sourceInputFromOptions(opts);
        const rules = rulesFrom(opts.rulesFile, opts.comment);
        const { createProfile } = await import('../app/profiles.js');
        const threading = threadingInputFromOptions(opts);
        const smtp = smtpInputFromOptions(opts);
        const saved = await withApp(opts, 'write', (app) => createProfile(app, { name, source, threading, ...(smtp ? { smtp } : {}), ...(rules ? { rules } : {}) }, cliPrincipal()));
        reportSaved(saved, opts, () => process.stdout.write(`${saved.profile.id}\n`));
      }),
    );

  addSmtpOptions(addThreadingOptions(addSourceOptions(jsonOption(profile.command('update <name>').description("change a profile's mailbox, SMTP or threading settings, or its rules")))), { removable: true })
    .option('--rules-file <file>', 'replace the rules')
    .option(...COMMENT)
    .action(
      action(async (name: string, opts: Opts) => {
        const source = sourceInputFromOptions(opts);
        const rules = rulesFrom(opts.rulesFile, opts.comment);
        const { updateProfile } = await import('../app/profiles.js');
        const threading = threadingInputFromOptions(opts);
        const smtp = smtpInputFromOptions(opts);
        const saved = await withApp(opts, 'write', (app) => updateProfile(app, name, { source, threading, smtp, ...(rules ? { rules } : {}) }, cliPrincipal()));
        reportSaved(saved, opts, () => {});
      }),
    );

  jsonOption(profile.command('set-rules <name> <file>').alias('rules').description('replace the rules (a new version in the rules history); refused with every error if any line is invalid'))
    .option(...COMMENT)
    .action(
      action(async (name: string, file: string, opts: Opts) => {
        const rules = rulesFrom(file, opts.comment)!;
        const { saveRules } = await import('../app/profiles.js');
        const saved = await withApp(opts, 'write', (app) => saveRules(app, name, rules, cliPrincipal()));
        reportSaved(saved, { ...opts, rulesFile: file }, () => {});
      }),
    );

  jsonOption(profile.command('delete <name>').description("delete a profile and its message log (what it created in the tracker stays)"))
    .action(
      action(async (name: string, opts: Opts) => {
        const { deleteProfile } = await import('../app/profiles.js');
        const deleted = await withApp(opts, 'write', (app) => deleteProfile(app, name, cliPrincipal()));
        if (opts.json) printJson(deleted);
        else process.stdout.write(`deleted profile ${deleted.id} (${deleted.name})\n`);
      }),
    );

  jsonOption(profile.command('list').description('list profiles'))
    .action(
      action(async (opts: Opts) => {
        const { listProfileViews } = await import('../app/profiles.js');
        const profiles = await withApp(opts, 'read', listProfileViews);
        if (opts.json) printJson(profiles);
        else for (const p of profiles) process.stdout.write(`${p.id}\t${p.name}\t${p.source?.protocol ?? 'import only'}\t${p.ruleCount} rules\n`);
      }),
    );

  jsonOption(profile.command('show <name>').description('show a profile, its settings (never the password) and rules'))
    .action(
      action(async (name: string, opts: Opts) => {
        const { showProfile } = await import('../app/profiles.js');
        const p = await withApp(opts, 'read', (app) => showProfile(app, name));
        if (opts.json) printJson(p);
        else process.stdout.write(describeProfile(p));
      }),
    );

  jsonOption(profile.command('check <name>').description("check a saved profile's mailbox connection step by step"))
    .action(
      action(async (name: string, opts: Opts) => {
        const { checkSavedProfile } = await import('../app/check.js');
        const result = await withApp(opts, 'read', (app) => checkSavedProfile(app, name, opts.json ? undefined : printCheckStep));
        reportCheck(result, opts.json);
      }),
    );

  addSmtpOptions(jsonOption(profile.command('check-smtp <name>').description("check a profile's SMTP connection step by step (with SMTP flags: those changes, not saved)")))
    .action(
      action(async (name: string, opts: Opts) => {
        const changes = smtpInputFromOptions(opts) ?? {};
        const { checkSavedSmtp } = await import('../app/check.js');
        const result = await withApp(opts, 'read', (app) => checkSavedSmtp(app, name, opts.json ? undefined : printCheckStep, changes));
        reportCheck(result, opts.json);
      }),
    );

  profile.addCommand(templateCommand());

  jsonOption(profile.command('signin <name>').description(`sign an OAuth2 mailbox in at its provider: prints the address to open, then waits (10 minutes) until the browser comes back`))
    .option('--redirect-uri <url>', 'where the provider sends the browser back, as registered there (default: $MAILBIND_PUBLIC_URL/oauth/callback, else http://localhost:8080/oauth/callback, where the service listens by default ($MAILBIND_HOST and $MAILBIND_PORT if set), answered by this command when no service listens there)')
    .option('--paste', 'read the address the browser ended on from standard input (a browser on another machine); the default when standard input is not a terminal')
    .action(
      action(async (name: string, opts: Opts) => {
        const { signInCommand } = await import('./signin.js');
        await signInCommand(name, opts);
      }),
    );

  jsonOption(profile.command('status [name]').description("last success, last error, next poll, counts by outcome, and an OAuth2 mailbox's sign-in"))
    .action(
      action(async (name: string | undefined, opts: Opts) => {
        const { profileStatuses } = await import('../app/status.js');
        const rows = await withApp(opts, 'read', (app) => profileStatuses(app, name));
        if (opts.json) printJson(name ? rows[0] : rows);
        else for (const r of rows) {
          process.stdout.write(`${r.name} (${r.protocol ?? 'import only'}): last success ${r.lastSuccessAt ?? 'never'}; ` +
            `${r.lastError ? `last error ${r.lastErrorAt}: ${r.lastError}; ` : ''}next poll ${r.nextPollAt ?? '-'}; ` +
            `${Object.entries(r.counts).map(([k, v]) => `${v} ${k}`).join(', ') || 'no messages'}\n`);
          // An OAuth2 mailbox's sign-in on a line of its own: "stopped: … — sign in again" must not hide in the line above.
          if (r.signInSummary) process.stdout.write(`  sign-in: ${r.signInSummary}\n`);
          const failures = r.downloadFailures;
          if (failures) {
            process.stdout.write(`  not downloaded: ${failures.total} message${failures.total === 1 ? '' : 's'} (each stays on the server; every poll tries again)\n`);
            for (const f of failures.first) process.stdout.write(`    ${f.key} since ${f.since}: ${f.error.replace(/\s+/g, ' ')}\n`);
            if (failures.total > failures.first.length) process.stdout.write(`    and ${failures.total - failures.first.length} more\n`);
          }
        }
      }),
    );
  return profile;
}

/** `profile show` for people: one setting a line, then the rules. */
export function describeProfile(p: ProfileView): string {
  const lines = [`profile ${p.id}: ${p.name}`];
  const s = p.source;
  if (!s) lines.push('mailbox:        none (takes imported mail only)');
  else {
    const row = (label: string, value: string) => lines.push(`${(label + ':').padEnd(16)}${value}`);
    row('protocol', s.protocol);
    if (s.protocol !== 'pipe') {
      row('server', `${s.effectiveHost ?? '(not set)'}:${s.effectivePort ?? '?'} (TLS: ${s.tls}${s.allowInvalidCertificate ? ', any certificate accepted' : ''})`);
      if (s.auth === 'oauth2') {
        row('login', s.login ?? '(not set: the account that signs in)');
        const where = s.oauthIssuer ?? (s.oauthAuthorizationUrl ? `${s.oauthAuthorizationUrl}, ${s.oauthTokenUrl}` : null);
        row('access', `OAuth2 at ${s.oauthProvider ?? '?'}${where ? ` (${where})` : ''}, client ID ${s.oauthClientId ?? '(not set)'}, client secret ${s.hasClientSecret ? 'set' : 'not set'}${s.oauthScopes ? `, scopes ${s.oauthScopes}` : ''}`);
        row('signed in', describeSignIn(p));
      } else row('login', `${s.login ?? '(not set)'} (password ${s.hasPassword ? 'set' : 'not set'})`);
      if (s.protocol === 'imap') row('folder', `${s.folder}${s.idle ? ', IDLE on' : ', IDLE off'}`);
      row('poll every', `${s.pollSeconds} s`);
      row('after import', s.afterImport ?? (s.protocol === 'imap' ? 'seen' : 'leave'));
      row('after other', s.afterOther ?? (s.protocol === 'imap' ? 'seen' : 'leave'));
      row('first run', s.firstRun);
    }
    row('max size', sizeText(s.maxMessageBytes));
    if (s.address) row('address', s.address);
  }
  const t = p.threading;
  lines.push(`${'replies:'.padEnd(16)}subject tokens ${t.subjectTokens ? 'on' : 'off'}; company may reply ${t.companyMayReply ? 'on' : 'off'}; closed items: ${t.closedReplies}; rate limit ${t.rateLimitPerSenderHour ? `${t.rateLimitPerSenderHour} per sender per hour` : 'off'}; acknowledge ${t.acknowledge ? 'on' : 'off'}`);
  const m = p.smtp;
  if (!m) lines.push(`${'smtp:'.padEnd(16)}none (sends no mail)`);
  else {
    lines.push(`${'smtp:'.padEnd(16)}${m.host}:${m.effectivePort} (TLS: ${m.tls}${m.allowInvalidCertificate ? ', any certificate accepted' : ''})`);
    lines.push(`${'smtp login:'.padEnd(16)}${m.user ? `${m.user} (password ${m.hasPassword ? 'set' : 'not set'})` : 'none'}`);
    lines.push(`${'sends from:'.padEnd(16)}${m.fromName ? `${m.fromName} <${m.fromAddress}>` : m.fromAddress}`);
  }
  if (p.rulesVersion !== null) lines.push(`${'rules version:'.padEnd(16)}${p.rulesVersion}`);
  lines.push(`rules (${p.ruleCount}):`);
  if (p.rules.trim()) lines.push(...p.rules.replace(/\s+$/, '').split(/\r\n|\r|\n/).map((l) => `  ${l}`));
  else lines.push('  (none: every message is skipped)');
  return lines.join('\n') + '\n';
}

/** An OAuth2 mailbox's sign-in in one line: who, and whether it still works. */
function describeSignIn(p: ProfileView): string {
  const s = p.signIn;
  if (!s) return `no: run mailbind profile signin ${p.name.includes(' ') ? `'${p.name}'` : p.name}`;
  const since = `since ${s.signedInAt}${s.refreshedAt ? `, refreshed ${s.refreshedAt}` : ''}${s.hasRefreshToken ? '' : ', no refresh token'}`;
  if (s.state === 'ok') return `${s.account} (${since})`;
  return `${s.account}, ${s.state === 'stopped' ? 'stopped working' : 'refresh failing'}${s.failingSince ? ` since ${s.failingSince}` : ''}: ${s.lastError ?? 'unknown error'}`;
}

/** 52428800 → "50 MB": sizes as the --max-size flag takes them. */
function sizeText(bytes: number): string {
  for (const [unit, size] of [['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
