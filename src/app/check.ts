// Check Connection: on a saved profile (optionally with changes not saved yet, merged with the stored
// settings), or on settings not saved at all (the Add Profile form).
import { checkConnection, type CheckResult, type StepListener } from '../sources/check.js';
import { mergeStoredSettings, runtimeSettings, withoutCleared, type SourceChanges } from '../sources/profile-settings.js';
import { resolveSettings, SettingsError, validateSettings, type ResolvedSettings, type SourceSettingsInput } from '../sources/settings.js';
import { getProfile } from '../store/profiles.js';
import type { App } from './app.js';
import { userError } from './errors.js';

export type { CheckResult, CheckStep, StepListener } from '../sources/check.js';

/**
 * `changes` are the form's edits not saved yet: merged as a save would merge them, so the stored
 * password is reused only while it goes where it was set for (else the check fails at the password).
 */
export async function checkSavedProfile(app: App, nameOrId: string | number, listener?: StepListener, changes?: SourceChanges): Promise<CheckResult> {
  const profile = await getProfile(app.store.db, nameOrId);
  if (changes && Object.keys(changes).length) {
    return checkSettings(() => {
      const merged = mergeStoredSettings(profile.source, changes, app.secrets());
      return resolveSettings(merged, merged.password ? app.secrets().decrypt(merged.password) : '');
    }, listener);
  }
  const settings = runtimeSettings(profile, app.secrets());
  if (!settings) throw userError(`profile '${profile.name}' has no mailbox (it only takes imported mail)`);
  return checkConnection(settings, {}, listener);
}

export async function checkUnsavedSettings(input: SourceChanges, listener?: StepListener): Promise<CheckResult> {
  return checkSettings(() => {
    const valid = validateSettings(withoutCleared(input) as SourceSettingsInput);
    return resolveSettings(valid, valid.password ?? '');
  }, listener);
}

/** Settings that do not validate fail as a first step named `settings`, with the field to fix. */
async function checkSettings(settingsOf: () => ResolvedSettings, listener?: StepListener): Promise<CheckResult> {
  let settings;
  try {
    settings = settingsOf();
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    const step = { step: 'settings', ok: false, ms: 0, message: error.message, field: error.field };
    listener?.(step);
    return { ok: false, steps: [step] };
  }
  return checkConnection(settings, {}, listener);
}
