// Which mail a profile leaves alone when it sees a folder without history: on its first run, and again
// after the folder's UIDVALIDITY (or the configured folder) changed, when UIDs no longer say what was
// already there. 'from-now' leaves what the server received before the profile was created (to the
// second, with the allowance cutoffFor explains), 'since:D' what it received before D (UTC), 'all'
// nothing. Dates are INTERNALDATEs.
import type { FirstRun } from '../settings.js';
import type { ListedMessage } from './listing.js';

export interface Cutoff {
  before: Date;
  why: 'first-run' | 'since-date';
}

/** Longer than a kernel tick at the lowest common rate (100 Hz, 10 ms), with room to spare. */
const COARSE_CLOCK_LAG_MS = 50;

export function cutoffFor(firstRun: FirstRun, profileCreatedAt: string): Cutoff | null {
  if (firstRun.kind === 'all') return null;
  if (firstRun.kind === 'since') return { before: new Date(`${firstRun.date}T00:00:00Z`), why: 'since-date' };
  // INTERNALDATE has whole seconds. Mail received in the second the profile was created counts as new:
  // importing one old message is better than silently skipping a new one. So does mail stamped in the
  // second before, when the profile was created in the first few milliseconds of a second: a server
  // that takes the date from its file system (Dovecot's Maildir: the file's time) reads the kernel's
  // coarse clock, which may lag the one the profile was stamped by (gettimeofday) by a tick, 1–10 ms.
  // Seen on CI: mail delivered just after the profile came out a second old, and was left alone.
  const created = Date.parse(profileCreatedAt) - COARSE_CLOCK_LAG_MS;
  return { before: new Date(Math.floor(created / 1000) * 1000), why: 'first-run' };
}

/** Messages received before the cutoff; a message without INTERNALDATE is never left alone. */
export function beforeCutoff(messages: ListedMessage[], cutoff: Cutoff | null): ListedMessage[] {
  if (!cutoff) return [];
  return messages.filter((m) => m.internalDate !== null && m.internalDate.getTime() < cutoff.before.getTime());
}
