// How the command line reports an AppError: one line on stderr, and an exit code by category. The
// one place where categories become exit codes (deliver keeps the sysexits its mail server expects).
import { AppError, type ErrorCategory } from '../app/errors.js';

export const EXIT_CODES: Record<ErrorCategory, number> = {
  user: 1,
  'not-found': 1,
  conflict: 1,
  'rate-limited': 1,
  // sysexits.h: EX_UNAVAILABLE, EX_SOFTWARE — a script can tell "try later" and "a bug" from "you erred".
  unavailable: 69,
  internal: 70,
};

export function reportError(error: unknown): number {
  const known = error instanceof AppError ? error : null;
  const category: ErrorCategory = known?.category ?? 'internal';
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`mailbind: ${message}\n`);
  if (category === 'internal' || category === 'unavailable') {
    const cause = known?.details.cause ?? error;
    if (process.env.MAILBIND_DEBUG) process.stderr.write(`${(cause as Error)?.stack ?? cause}\n`);
    else if (category === 'internal') process.stderr.write('mailbind: (run with MAILBIND_DEBUG=1 to see where)\n');
  }
  return EXIT_CODES[category];
}
