// One error type for every face. A use case throws AppError with a category; the CLI maps categories
// to exit codes (cli/errors.ts) and the server to HTTP statuses, each in one place. Errors of the
// layers below are translated once, in error-translation.ts. This file imports nothing, so a face can
// load it without loading the service.
import type { RuleError } from '../rules/types.js';

export type ErrorCategory =
  /** The request is wrong: bad input, a setting that does not validate. */
  | 'user'
  /** What the request names does not exist. */
  | 'not-found'
  /** The request clashes with the current state (a name taken, work already done). */
  | 'conflict'
  /** The content is over a size limit (a pushed message above the profile's limit). */
  | 'too-large'
  /** Something needed is not available now (database, key, mail server); trying later may work. */
  | 'unavailable'
  /** Too many attempts (failed sign-ins); details.retryAfterSeconds says when to try again. */
  | 'rate-limited'
  /** A bug or an unexpected failure. */
  | 'internal';

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly category: ErrorCategory,
    message: string,
    readonly details: { fields?: FieldError[]; ruleErrors?: RuleError[]; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message);
  }
}

export const userError = (message: string, details?: AppError['details']) => new AppError('user', message, details);
export const notFound = (message: string) => new AppError('not-found', message);
export const conflict = (message: string) => new AppError('conflict', message);
export const unavailable = (message: string, cause?: unknown) => new AppError('unavailable', message, { cause });
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new AppError('rate-limited', message, { retryAfterSeconds });
