// Check Connection: on a saved profile (optionally with changes not saved yet, merged with the stored
// settings), or on settings not saved at all (the Add Profile form).
import { checkConnection, type CheckResult, type StepListener, type TokenOutcome } from '../sources/check.js';
import { checkSignedIn, MOVED_NOT_SIGNED_IN, notSignedIn, UNSAVED_NOT_SIGNED_IN } from '../sources/oauth/check-token.js';
import { mergeStoredSettings, runtimeSettings, signInDestination, withoutCleared, type SourceChanges } from '../sources/profile-settings.js';
import {
  resolveSettings, SettingsError, validateSettings, type ResolvedSettings, type SourceSettings, type SourceSettingsInput,
} from '../sources/settings.js';
import { getProfile, type Profile } from '../store/profiles.js';
import type { App } from './app.js';
import { userError } from './errors.js';
import type { SmtpCheckResult, SmtpCheckStep } from '../engine/outbox/smtp-check.js';
import type { SmtpExtras } from '../engine/outbox/smtp.js';
import { mergeSmtpSettings, resolveSmtp, resolveUnsavedSmtp, SmtpSettingsError, type ResolvedSmtp, type SmtpChanges } from '../store/smtp-settings.js';

export type { SmtpCheckResult, SmtpCheckStep } from '../engine/outbox/smtp-check.js';

export type { CheckResult, CheckStep, StepListener } from '../sources/check.js';

/** For an OAuth2 mailbox, the `token` step before the connection steps: a function of the settings checked. */
type TokenStepFor = (stored: SourceSettings, settings: ResolvedSettings) => (() => Promise<TokenOutcome>) | undefined;

/**
 * `changes` are the form's edits not saved yet: merged as a save would merge them, so the stored
 * password is reused only while it goes where it was set for (else the check fails at the password),
 * and the sign-in only while the provider, app and mailbox stay those it was made for.
 */
export async function checkSavedProfile(app: App, nameOrId: string | number, listener?: StepListener, changes?: SourceChanges): Promise<CheckResult> {
  const profile = await getProfile(app.store.db, nameOrId);
  const secrets = app.secrets();
  const tokenStep: TokenStepFor = (stored, settings) => {
    if (stored.auth !== 'oauth2') return undefined;
    if (signInDestination(stored) !== signInDestination(profile.source)) return notSignedIn(MOVED_NOT_SIGNED_IN);
    return () => checkSignedIn({ db: app.store.db, secrets }, profile, stored, settings);
  };
  if (changes && Object.keys(changes).length) {
    return checkSettings(() => {
      const merged = mergeStoredSettings(profile.source, changes, secrets);
      return { stored: merged, settings: resolveSettings(merged, merged.password ? secrets.decrypt(merged.password) : '') };
    }, tokenStep, listener);
  }
  const settings = runtimeSettings(profile, secrets);
  if (!settings) throw userError(`profile '${profile.name}' has no mailbox (it only takes imported mail)`);
  return checkConnection(settings, {}, listener, tokenStep(storedOf(profile), settings));
}

export async function checkUnsavedSettings(input: SourceChanges, listener?: StepListener): Promise<CheckResult> {
  return checkSettings(() => {
    const valid = validateSettings(withoutCleared(input) as SourceSettingsInput);
    return { stored: valid, settings: resolveSettings(valid, valid.password ?? '') };
  }, (stored) => (stored.auth === 'oauth2' ? notSignedIn(UNSAVED_NOT_SIGNED_IN) : undefined), listener);
}

/** Settings that do not validate fail as a first step named `settings`, with the field to fix. */
async function checkSettings(
  settingsOf: () => { stored: SourceSettings; settings: ResolvedSettings },
  tokenStep: TokenStepFor,
  listener?: StepListener,
): Promise<CheckResult> {
  let checked;
  try {
    checked = settingsOf();
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    const step = { step: 'settings', ok: false, ms: 0, message: error.message, field: error.field };
    listener?.(step);
    return { ok: false, steps: [step] };
  }
  return checkConnection(checked.settings, {}, listener, tokenStep(checked.stored, checked.settings));
}

/** A saved profile's settings with their defaults (`auth` among them) filled in. */
function storedOf(profile: Profile): SourceSettings {
  return validateSettings(profile.source!);
}

/**
 * Check Connection for a profile's SMTP settings: the saved ones, or with `changes` not saved yet
 * merged as a save would merge them (the stored password only goes where it was set for).
 */
export async function checkSavedSmtp(
  app: App,
  nameOrId: string | number,
  listener?: (step: SmtpCheckStep) => void,
  changes?: SmtpChanges,
  extras?: SmtpExtras,
): Promise<SmtpCheckResult> {
  const profile = await getProfile(app.store.db, nameOrId);
  const { checkSmtp } = await import('../engine/outbox/smtp-check.js');
  let settings: ResolvedSmtp | null;
  try {
    settings = changes && Object.keys(changes).length
      ? resolveSmtp(mergeSmtpSettings(profile.smtp, changes, app.secrets()), app.secrets())
      : resolveSmtp(profile.smtp, app.secrets());
  } catch (error) {
    if (error instanceof SmtpSettingsError) return smtpSettingsFailed(error, listener);
    throw error;
  }
  if (!settings) throw userError(`profile '${profile.name}' has no SMTP settings: it sends no mail`);
  return checkSmtp(settings, extras, listener);
}

/** Check Connection for SMTP settings not saved at all (with their password). */
export async function checkUnsavedSmtp(input: SmtpChanges, listener?: (step: SmtpCheckStep) => void, extras?: SmtpExtras): Promise<SmtpCheckResult> {
  const { checkSmtp } = await import('../engine/outbox/smtp-check.js');
  let settings: ResolvedSmtp;
  try {
    settings = resolveUnsavedSmtp(input);
  } catch (error) {
    if (error instanceof SmtpSettingsError) return smtpSettingsFailed(error, listener);
    throw error;
  }
  return checkSmtp(settings, extras, listener);
}

/** Settings that do not validate fail as a first step named `settings`, with the field to fix. */
function smtpSettingsFailed(error: SmtpSettingsError, listener?: (step: SmtpCheckStep) => void): SmtpCheckResult {
  const first = error.fields[0];
  const step: SmtpCheckStep = { step: 'settings', ok: false, ms: 0, message: error.message, field: first ? `smtp.${first.field}` : null };
  listener?.(step);
  return { ok: false, steps: [step] };
}
