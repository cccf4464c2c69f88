// Check Connection: on a saved profile, or on settings not saved yet (the Add Profile form).
import { checkConnection, type CheckResult, type StepListener } from '../sources/check.js';
import { runtimeSettings } from '../sources/profile-settings.js';
import { resolveSettings, SettingsError, validateSettings, type SourceSettingsInput } from '../sources/settings.js';
import { getProfile } from '../store/profiles.js';
import type { App } from './app.js';
import { userError } from './errors.js';

export type { CheckResult, CheckStep, StepListener } from '../sources/check.js';

export async function checkSavedProfile(app: App, nameOrId: string | number, listener?: StepListener): Promise<CheckResult> {
  const profile = await getProfile(app.store.db, nameOrId);
  const settings = runtimeSettings(profile, app.secrets());
  if (!settings) throw userError(`profile '${profile.name}' has no mailbox (it only takes imported mail)`);
  return checkConnection(settings, {}, listener);
}

/** Settings that do not validate fail as a first step named `settings`, with the field to fix. */
export async function checkUnsavedSettings(input: Partial<SourceSettingsInput>, listener?: StepListener): Promise<CheckResult> {
  let settings;
  try {
    const valid = validateSettings(input);
    settings = resolveSettings(valid, valid.password ?? '');
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    const step = { step: 'settings', ok: false, ms: 0, message: error.message, field: error.field };
    listener?.(step);
    return { ok: false, steps: [step] };
  }
  return checkConnection(settings, {}, listener);
}
