// Profiles as admins manage them: create, update (settings, rules), delete, list, show. Rules are
// saved only when every line parses (the old ones stay otherwise), and every text saved is kept as a
// version of the rules history (rules-history.ts), in the same transaction; pointing a profile at
// another mailbox applies its first-run policy again; secrets never leave as anything but `hasPassword`.
import type { RuleWarning } from '../rules/index.js';
import { Pop3Source } from '../sources/pop3/source.js';
import { mailboxAccount, mailboxIdentity, mergeStoredSettings, runtimeSettings, settingsToStore, signInDestination } from '../sources/profile-settings.js';
import { cancelSignInsOf } from '../store/oauth-sign-ins.js';
import { signInStatus, signInStatuses, signOut } from '../store/oauth-tokens.js';
import { OAuthError } from '../sources/oauth/client.js';
import { liftAppStop } from '../sources/oauth/app-change.js';
import { withCredentials } from '../sources/oauth/credentials.js';
import { PROTOCOLS } from '../sources/settings-core.js';
import type { SourceSettings, SourceSettingsInput } from '../sources/settings.js';
import { updateStatus } from '../sources/status.js';
import { countUnfinished } from '../store/inbox.js';
import * as profiles from '../store/profiles.js';
import { appendRulesVersion } from '../store/rules-versions.js';
import { inTransaction } from '../store/transaction.js';
import type { App } from './app.js';
import { recordAudit } from './audit.js';
import { conflict, userError } from './errors.js';
import { toProfileView, type ProfileView } from './profile-view.js';
import { DEFAULT_THREADING, type ThreadingSettings } from '../store/threading-settings.js';
import { mergeThreading, type ThreadingChange } from './threading-input.js';
import { mergeSmtpSettings, type SmtpChanges, type SmtpSettings } from '../store/smtp-settings.js';
import { actorName, type Principal } from './principal.js';
import { checkRulesAgainst, rulesInvalid } from './rules.js';
import { listTemplates } from '../store/templates.js';
import { ACKNOWLEDGEMENT } from '../engine/outbox/template.js';
import { retireImapKeys } from '../sources/imap/other-account.js';

/** New rules and where they came from (a file name, "the request"), for error messages. */
export interface RulesInput {
  text: string;
  label: string;
  /** Why the rules changed: kept with the version in the rules history. */
  comment?: string;
}

/** The longest comment a rules version keeps. */
export const MAX_RULES_COMMENT = 1000;

export interface ProfileChange {
  rules?: RulesInput;
  /** Only the settings given change; a missing password keeps the stored one. */
  source?: Partial<SourceSettingsInput>;
  /** Only the threading settings given change; null sets one back to its default. */
  threading?: ThreadingChange;
  /** Only the SMTP settings given change (a missing password keeps the stored one); null: the profile sends no mail. */
  smtp?: SmtpChanges | null;
}

export interface ProfileSaved {
  profile: ProfileView;
  /** Rule warnings (unknown project or team ids). */
  warnings: RuleWarning[];
  /** Things the admin should know that did not stop the change. */
  notes: string[];
}

export async function listProfileViews(app: App): Promise<ProfileView[]> {
  const [list, signIns] = await Promise.all([profiles.listProfiles(app.store.db), signInStatuses(app.store.db)]);
  const byProfile = new Map(signIns.map((s) => [s.profileId, s]));
  return list.map((p) => toProfileView(p, byProfile.get(p.id) ?? null));
}

export async function showProfile(app: App, nameOrId: string | number): Promise<ProfileView> {
  return viewOf(app, await profiles.getProfile(app.store.db, nameOrId));
}

/** The profile as shown, with its OAuth2 sign-in (if any). */
async function viewOf(app: App, profile: profiles.Profile): Promise<ProfileView> {
  return toProfileView(profile, await signInStatus(app.store.db, profile.id));
}

export async function createProfile(app: App, input: { name: string } & ProfileChange, who: Principal): Promise<ProfileSaved> {
  const rules = input.rules ? await validRules(app, input.rules, null) : { text: '', warnings: [], comment: null };
  const source = input.source && Object.keys(input.source).length ? newSource(app, input.source) : null;
  const threading = mergeThreading(DEFAULT_THREADING, input.threading ?? {});
  const smtp = input.smtp && Object.keys(input.smtp).length ? mergeSmtpSettings(null, input.smtp, app.secrets()) : null;
  // Version 1 is written even for empty rules: the history then starts where the profile did.
  const created = await inTransaction(app.store.db, async (trx) => {
    const made = await profiles.createProfile(trx, { name: input.name, rules: rules.text, source, threading, smtp });
    const version = await appendRulesVersion(trx, made.id, { rules: rules.text, author: actorName(who), comment: rules.comment });
    await recordAudit(trx, who, 'profile.create', `profile ${made.name}`, {
      id: made.id,
      settings: [...changedSettingNames(input.source), ...changedThreadingNames(DEFAULT_THREADING, threading), ...changedSmtpNames(input.smtp)],
      rules: Boolean(input.rules),
      rulesVersion: version!.version,
    });
    return { ...made, rulesVersion: version!.version };
  });
  const notes = await takeBaselineNow(app, created);
  return { profile: toProfileView(created), warnings: rules.warnings, notes };
}

export async function updateProfile(app: App, nameOrId: string | number, change: ProfileChange, who: Principal): Promise<ProfileSaved> {
  return changeProfile(app, nameOrId, change, who, 'rules.save');
}

/** Replace the rules; refused with every error if any line is invalid, keeping the old ones. */
export function saveRules(app: App, nameOrId: string | number, rules: RulesInput, who: Principal): Promise<ProfileSaved> {
  return updateProfile(app, nameOrId, { rules }, who);
}

/**
 * Settings and rules change in one transaction with their version and audit entry. Rules equal to
 * the current version change nothing (no version, no audit entry) and say so in a note. `rulesAction`
 * names a change of the rules alone in the audit log ('rules.save', 'rules.restore').
 */
export async function changeProfile(
  app: App,
  nameOrId: string | number,
  change: ProfileChange,
  who: Principal,
  rulesAction: string,
): Promise<ProfileSaved> {
  const existing = await profiles.getProfile(app.store.db, nameOrId);
  const rules = change.rules ? await validRules(app, change.rules, existing.id) : undefined;
  let source: SourceSettings | undefined;
  if (change.source && Object.keys(change.source).length) {
    if (!existing.source && !change.source.protocol) throw needProtocol();
    source = mergeStoredSettings(existing.source, change.source, app.secrets());
  }
  let threading: ThreadingSettings | undefined;
  if (change.threading && Object.keys(change.threading).length) {
    const merged = mergeThreading(existing.threading, change.threading);
    // Unchanged settings write nothing: no audit entry for a form saved as it was.
    if (JSON.stringify(merged) !== JSON.stringify(existing.threading)) threading = merged;
  }
  // undefined: unchanged; null: sends no mail any more.
  let smtp: SmtpSettings | null | undefined;
  if (change.smtp === null) smtp = existing.smtp ? null : undefined;
  else if (change.smtp && Object.keys(change.smtp).length) smtp = mergeSmtpSettings(existing.smtp, change.smtp, app.secrets());
  const notes: string[] = [];
  const updated = await inTransaction(app.store.db, async (trx) => {
    // First, before anything else is written: on PostgreSQL the retirement waits for a batch of the old
    // account under way (its intake lock), and that batch must not wait for a row this transaction holds.
    // Another IMAP account: the keys of the old one's mail must not stand for the new one's (other-account.ts).
    if (source && existing.source?.protocol === 'imap' && mailboxAccount(source) !== mailboxAccount(existing.source)) {
      const retired = await retireImapKeys(trx, existing.id);
      if (retired) notes.push(`the ${retired} message${retired === 1 ? '' : 's'} taken from the old mailbox keep their outcomes; nothing more is done to them on its server`);
    }
    // Another mailbox: its mail is new to this profile, so the first-run policy applies again. In this
    // transaction, so that no poll of the old mailbox reads the new settings with the old cursor.
    // Nor are the old mailbox's messages that could not be downloaded its own.
    if (source && mailboxIdentity(source) !== mailboxIdentity(existing.source)) {
      await updateStatus(trx, existing.id, { baselineAt: null, cursor: null, downloadFailures: null });
    }
    const version = rules
      ? await appendRulesVersion(trx, existing.id, { rules: rules.text, author: actorName(who), comment: rules.comment }, { ifChanged: true })
      : null;
    if (rules && !version) notes.push('the rules are the same as the current ones; no new version was saved');
    if (!version && !source && !threading && smtp === undefined) return existing;
    // Tokens are only good for the app and mailbox they were signed in for (profile-settings.ts); a
    // sign-in under way would exchange its code with the new app and send the tokens to the new mailbox.
    if (source && signInDestination(source) !== signInDestination(existing.source)) {
      await cancelSignInsOf(trx, existing.id, "the sign-in was cancelled, as the profile's provider, app or mailbox changed while it was under way; start it again");
      if (await signOut(trx, existing.id)) notes.push('signed out: the provider, app or mailbox changed, and the tokens were only good for the old ones; sign in again');
    }
    // A stop caused by the provider refusing the app is lifted by new app credentials (sources/oauth/app-change.ts).
    if (source && (await liftAppStop(trx, existing.id, existing.source, source, app.secrets()))) {
      notes.push('the sign-in is tried again with the new client credentials at the next poll');
    }
    const saved = await profiles.updateProfile(trx, existing.id, {
      ...(version ? { rules: version.rules } : {}),
      ...(source ? { source } : {}),
      ...(threading ? { threading } : {}),
      ...(smtp !== undefined ? { smtp } : {}),
    });
    const settings = [
      ...(source ? changedSettingNames(change.source) : []),
      ...(threading ? changedThreadingNames(existing.threading, threading) : []),
      ...(smtp !== undefined ? changedSmtpNames(change.smtp) : []),
    ];
    await recordAudit(trx, who, source || threading || smtp !== undefined ? 'profile.update' : rulesAction, `profile ${saved.name}`, {
      id: saved.id,
      ...(settings.length ? { settings } : {}),
      ...(version ? { rules: true, rulesVersion: version.version, ...(version.comment ? { comment: version.comment } : {}) } : {}),
    });
    return saved;
  });
  if (source) {
    // Fixed settings (a new password, host or interval) are tried at once: the failures and the
    // backoff they caused belonged to the old settings. A running worker sees the change within 5 s.
    await updateStatus(app.store.db, existing.id, { consecutiveFailures: 0, nextPollAt: new Date().toISOString(), lastError: null, lastErrorAt: null });
  }
  if (source && mailboxIdentity(source) !== mailboxIdentity(existing.source)) notes.push(...(await takeBaselineNow(app, updated)));
  return { profile: await viewOf(app, updated), warnings: rules?.warnings ?? [], notes };
}

/** Removes a profile, its status and its message log; what it created in the tracker stays. */
export async function deleteProfile(app: App, nameOrId: string | number, who: Principal): Promise<ProfileView> {
  const existing = await profiles.getProfile(app.store.db, nameOrId);
  if (!(await profiles.deleteProfileIfSettled(app.store.db, existing.id))) {
    const unfinished = await countUnfinished(app.store.db, existing.id);
    throw conflict(`profile '${existing.name}' has ${unfinished} message${unfinished === 1 ? '' : 's'} still to process; delete it once they have an outcome`);
  }
  await recordAudit(app.store.db, who, 'profile.delete', `profile ${existing.name}`, { id: existing.id });
  return toProfileView(existing);
}

/** `profileId`: whose reply templates a rule may name (null: a new profile, which has only the built-in one). */
async function validRules(app: App, rules: RulesInput, profileId: number | null): Promise<{ text: string; warnings: RuleWarning[]; comment: string | null }> {
  const comment = rules.comment?.trim() || null;
  if (comment && comment.length > MAX_RULES_COMMENT) {
    const message = `A comment should be at most ${MAX_RULES_COMMENT} characters (this one has ${comment.length})`;
    throw userError(message, { fields: [{ field: 'comment', message }] });
  }
  const saved = profileId === null ? [] : await listTemplates(app.store.db, profileId);
  const templates = new Set([ACKNOWLEDGEMENT, ...saved.map((t) => t.name.toLowerCase())]);
  const check = await checkRulesAgainst(app.tracker, rules.text, templates);
  if (check.errors.length) throw rulesInvalid(check.errors, rules.label);
  return { text: rules.text, warnings: check.warnings, comment };
}

function newSource(app: App, input: Partial<SourceSettingsInput>): SourceSettings {
  if (!input.protocol) throw needProtocol();
  return settingsToStore(input as SourceSettingsInput, app.secrets());
}

/** Which settings a change named; their values stay out of the audit log (one of them is a password). */
function changedSettingNames(source: Partial<SourceSettingsInput> | undefined): string[] {
  return source ? Object.keys(source).sort() : [];
}

/**
 * The threading settings that differ between before and after, as `threading.closedReplies`: config
 * apply and the web form send every setting, but the audit log names only those that changed (for a
 * new profile: those not at their defaults).
 */
function changedThreadingNames(before: ThreadingSettings, after: ThreadingSettings): string[] {
  const keys = Object.keys(after) as Array<keyof ThreadingSettings>;
  return keys.filter((k) => after[k] !== before[k]).sort().map((k) => `threading.${k}`);
}

/** SMTP settings a change named, as `smtp.host` (never their values: one is a password); `smtp` when removed. */
function changedSmtpNames(smtp: SmtpChanges | null | undefined): string[] {
  if (smtp === null) return ['smtp'];
  return smtp ? Object.keys(smtp).sort().map((k) => `smtp.${k}`) : [];
}

function needProtocol() {
  const choices = PROTOCOLS.join(', ');
  return userError(`mailbox settings need a protocol: ${choices}`, { fields: [{ field: 'protocol', message: `choose one of ${choices}` }] });
}

/** POP3 "from-now": remember what is in the mailbox now; if the server can't be reached, the first poll does. */
async function takeBaselineNow(app: App, profile: profiles.Profile): Promise<string[]> {
  if (profile.source?.protocol !== 'pop3') return [];
  const settings = runtimeSettings(profile, app.secrets());
  if (!settings || settings.firstRun.kind !== 'from-now') return [];
  // Inside a larger transaction (config apply) a mail server must not hold the database for up to
  // 10 s: the first poll takes the baseline instead.
  if (app.store.db.isTransaction) return [`the mailbox's current messages are taken as old at the first poll`];
  try {
    // An OAuth2 mailbox logs in with its access token (a new one is not signed in yet: see below).
    await withCredentials({ db: app.store.db, secrets: app.secrets() }, profile, (credentialed) =>
      new Pop3Source({ timeoutMs: 10_000 }).takeBaseline({ store: app.store, profile, settings: credentialed }));
    return [];
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'not_signed_in') {
      return [`the mailbox's current messages are taken as old at the first poll after signing in`];
    }
    return [`could not reach the mailbox now (${(error as Error).message}); mail in it at the first successful poll will count as old`];
  }
}
