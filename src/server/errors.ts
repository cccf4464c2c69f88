// The one place where error categories become HTTP statuses, and the JSON every error answers with:
// `{error, errors?}`, never a stack trace. Validation failures answer 400 with one entry per field.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCategory, FieldError } from '../app/errors.js';
import { toAppError } from '../app/error-translation.js';
import type { HttpEnv } from './env.js';

export const STATUS: Record<ErrorCategory, ContentfulStatusCode> = {
  user: 400,
  'not-found': 404,
  conflict: 409,
  'rate-limited': 429,
  'too-large': 413,
  unavailable: 503,
  internal: 500,
};

export interface ErrorBody {
  error: string;
  errors?: Array<FieldError | { line: number; column: number; endColumn: number; message: string; suggestion?: string }>;
}

interface Issue {
  path: ReadonlyArray<PropertyKey>;
  message: string;
  code?: string;
  expected?: string;
  minimum?: number | bigint;
  origin?: string;
  values?: readonly unknown[];
  keys?: readonly string[];
}

const KINDS: Record<string, string> = { number: 'a number', string: 'text', boolean: 'true or false', array: 'a list', object: 'an object', int: 'a whole number' };

/** zod issues (from request validation) as field errors in words: `source.host: should be text`. */
export function fieldErrorsOf(issues: ReadonlyArray<Issue>): FieldError[] {
  return issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(body)', message: say(issue) }));
}

function say(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      // zod leaves the input out of its issues; its message says what it received.
      if (/received undefined/.test(issue.message)) return 'is required';
      return `should be ${KINDS[issue.expected ?? ''] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'should not be empty';
      return issue.message;
    case 'invalid_value':
      return `should be one of ${(issue.values ?? []).map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown field${(issue.keys ?? []).length === 1 ? '' : 's'}: ${(issue.keys ?? []).join(', ')}`;
    default:
      return issue.message;
  }
}

export function validationFailed(c: Context, fields: FieldError[]) {
  const body: ErrorBody = { error: fields.map((f) => `${f.field}: ${f.message}`).join('; '), errors: fields };
  return c.json(body, 400);
}

/** Every error a handler throws ends here. Internal errors are logged with their stack, answered without. */
export function onError(error: Error, c: Context<HttpEnv>) {
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    return c.json({ error: error.message || 'request refused' } satisfies ErrorBody, status);
  }
  const appError = toAppError(error);
  const status = STATUS[appError.category];
  if (appError.category === 'internal') {
    c.get('logger')?.error({ err: appError.details.cause ?? error }, 'request failed');
    return c.json({ error: 'internal error; the log says more' } satisfies ErrorBody, 500);
  }
  if (appError.category === 'rate-limited') {
    const seconds = Number((appError.details as { retryAfterSeconds?: number }).retryAfterSeconds ?? 60);
    c.header('Retry-After', String(Math.max(1, Math.ceil(seconds))));
  }
  if (appError.category === 'unavailable') {
    c.header('Retry-After', '30');
    const cause = appError.details.cause;
    if (cause) c.get('logger')?.warn({ err: cause instanceof Error ? cause.message : String(cause) }, appError.message);
  }
  const body: ErrorBody = { error: appError.message };
  if (appError.details.fields?.length) body.errors = appError.details.fields;
  else if (appError.details.ruleErrors?.length) {
    body.errors = appError.details.ruleErrors.map((e) => ({
      line: e.line,
      column: e.column,
      endColumn: e.endColumn,
      message: e.message,
      ...(e.suggestion ? { suggestion: e.suggestion } : {}),
    }));
  }
  return c.json(body, status);
}

