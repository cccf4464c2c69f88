// The one place where errors of the layers below app/ (store, sources, tracker, mail) get their
// category. Use cases run through `translated`, so whatever leaves app/ is an AppError.
import { UnparseableMessageError } from '../mail/errors.js';
import { SettingsError } from '../sources/settings-core.js';
import { StoreOpenError } from '../store/database.js';
import { ProfileNameError } from '../store/profiles.js';
import { SecretKeyError } from '../store/secrets.js';
import { SmtpSettingsError } from '../store/smtp-settings-core.js';
import { TrackerInputError } from '../tracker/builtin/admin.js';
import { AppError, unavailable, userError, type ErrorCategory } from './errors.js';

const PROFILE_NAME_CATEGORY: Record<ProfileNameError['reason'], ErrorCategory> = {
  invalid: 'user',
  taken: 'conflict',
  missing: 'not-found',
};

const TRACKER_INPUT_CATEGORY: Record<TrackerInputError['reason'], ErrorCategory> = {
  invalid: 'user',
  taken: 'conflict',
  missing: 'not-found',
  'in-use': 'conflict',
};

/** The category of any error thrown below app/; unknown errors are internal. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ProfileNameError) return new AppError(PROFILE_NAME_CATEGORY[error.reason], error.message);
  if (error instanceof SettingsError) {
    return userError(error.message, error.fields.length ? { fields: [...error.fields] } : {});
  }
  if (error instanceof SmtpSettingsError) {
    // Named smtp.X: a form holds the mailbox's fields of the same names (host, port, password).
    return userError(error.message, { fields: error.fields.map((f) => ({ field: `smtp.${f.field}`, message: f.message })) });
  }
  if (error instanceof TrackerInputError) {
    return new AppError(TRACKER_INPUT_CATEGORY[error.reason], error.message, error.fields.length ? { fields: error.fields } : {});
  }
  if (error instanceof SecretKeyError) return unavailable(error.message, error);
  if (error instanceof StoreOpenError) return error.reason === 'missing' ? userError(error.message) : unavailable(error.message, error);
  if (error instanceof UnparseableMessageError) return userError(`not a readable mail message: ${error.message}`);
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('internal', message, { cause: error });
}

/** Runs a use case so that whatever it throws leaves as an AppError. */
export async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toAppError(error);
  }
}
