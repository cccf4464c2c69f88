// Profiles as admins manage them: create, update (settings, rules), delete, list, show. Rules are
// saved only when every line parses (the old ones stay otherwise); pointing a profile at another
// mailbox applies its first-run policy again; secrets never leave as anything but `hasPassword`.
import type { RuleWarning } from '../rules/index.js';
import { Pop3Source } from '../sources/pop3/source.js';
import { mailboxIdentity, mergeStoredSettings, runtimeSettings, settingsToStore } from '../sources/profile-settings.js';
import { PROTOCOLS } from '../sources/settings-core.js';
import type { SourceSettings, SourceSettingsInput } from '../sources/settings.js';
import { updateStatus } from '../sources/status.js';
import { countUnfinished } from '../store/inbox.js';
import * as profiles from '../store/profiles.js';
import type { App } from './app.js';
import { recordAudit } from './audit.js';
import { conflict, userError } from './errors.js';
import { toProfileView, type ProfileView } from './profile-view.js';
import type { Principal } from './principal.js';
import { checkRulesAgainst, rulesInvalid } from './rules.js';

/** New rules and where they came from (a file name, "the request"), for error messages. */
export interface RulesInput {
  text: string;
  label: string;
}

export interface ProfileChange {
  rules?: RulesInput;
  /** Only the settings given change; a missing password keeps the stored one. */
  source?: Partial<SourceSettingsInput>;
}

export interface ProfileSaved {
  profile: ProfileView;
  /** Rule warnings (unknown project or team ids). */
  warnings: RuleWarning[];
  /** Things the admin should know that did not stop the change. */
  notes: string[];
}

export async function listProfileViews(app: App): Promise<ProfileView[]> {
  return (await profiles.listProfiles(app.store.db)).map(toProfileView);
}

export async function showProfile(app: App, nameOrId: string | number): Promise<ProfileView> {
  return toProfileView(await profiles.getProfile(app.store.db, nameOrId));
}

export async function createProfile(app: App, input: { name: string } & ProfileChange, who: Principal): Promise<ProfileSaved> {
  const rules = input.rules ? await validRules(app, input.rules) : { text: '', warnings: [] };
  const source = input.source && Object.keys(input.source).length ? newSource(app, input.source) : null;
  const created = await profiles.createProfile(app.store.db, { name: input.name, rules: rules.text, source });
  await recordAudit(app.store.db, who, 'profile.create', `profile ${created.name}`, { id: created.id, settings: changedSettingNames(input.source), rules: Boolean(input.rules) });
  const notes = await takeBaselineNow(app, created);
  return { profile: toProfileView(created), warnings: rules.warnings, notes };
}

export async function updateProfile(app: App, nameOrId: string | number, change: ProfileChange, who: Principal): Promise<ProfileSaved> {
  const existing = await profiles.getProfile(app.store.db, nameOrId);
  const rules = change.rules ? await validRules(app, change.rules) : undefined;
  const changes: { rules?: string; source?: SourceSettings } = {};
  if (rules) changes.rules = rules.text;
  if (change.source && Object.keys(change.source).length) {
    if (!existing.source && !change.source.protocol) throw needProtocol();
    changes.source = mergeStoredSettings(existing.source, change.source, app.secrets());
  }
  const updated = await profiles.updateProfile(app.store.db, existing.id, changes);
  await recordAudit(app.store.db, who, changes.source ? 'profile.update' : 'rules.save', `profile ${updated.name}`, {
    id: updated.id,
    ...(changes.source ? { settings: changedSettingNames(change.source) } : {}),
    ...(changes.rules !== undefined ? { rules: true } : {}),
  });
  const notes: string[] = [];
  if (changes.source) {
    // Fixed settings (a new password, host or interval) are tried at once: the failures and the
    // backoff they caused belonged to the old settings. A running worker sees the change within 5 s.
    await updateStatus(app.store.db, existing.id, { consecutiveFailures: 0, nextPollAt: new Date().toISOString(), lastError: null, lastErrorAt: null });
  }
  if (changes.source && mailboxIdentity(changes.source) !== mailboxIdentity(existing.source)) {
    // Another mailbox: its mail is new to this profile, so the first-run policy applies again.
    await updateStatus(app.store.db, existing.id, { baselineAt: null, cursor: null });
    notes.push(...(await takeBaselineNow(app, updated)));
  }
  return { profile: toProfileView(updated), warnings: rules?.warnings ?? [], notes };
}

/** Replace the rules; refused with every error if any line is invalid, keeping the old ones. */
export function saveRules(app: App, nameOrId: string | number, rules: RulesInput, who: Principal): Promise<ProfileSaved> {
  return updateProfile(app, nameOrId, { rules }, who);
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

async function validRules(app: App, rules: RulesInput): Promise<{ text: string; warnings: RuleWarning[] }> {
  const check = await checkRulesAgainst(app.tracker, rules.text);
  if (check.errors.length) throw rulesInvalid(check.errors, rules.label);
  return { text: rules.text, warnings: check.warnings };
}

function newSource(app: App, input: Partial<SourceSettingsInput>): SourceSettings {
  if (!input.protocol) throw needProtocol();
  return settingsToStore(input as SourceSettingsInput, app.secrets());
}

/** Which settings a change named; their values stay out of the audit log (one of them is a password). */
function changedSettingNames(source: Partial<SourceSettingsInput> | undefined): string[] {
  return source ? Object.keys(source).sort() : [];
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
  try {
    await new Pop3Source({ timeoutMs: 10_000 }).takeBaseline({ store: app.store, profile, settings });
    return [];
  } catch (error) {
    return [`could not reach the mailbox now (${(error as Error).message}); mail in it at the first successful poll will count as old`];
  }
}
