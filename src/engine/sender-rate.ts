// The per-sender rate limit (issue 12, loop defence), decided in decide() like every other fate of a
// message: pure, from the count the caller looked up (process.ts, through prepare.ts). It comes after
// the classifier (automatic mail is ignored as what it is) and before reply binding and the rules, so
// mail it holds creates no requester, no item and no comment, and nothing ever answers it.
//
// Only mail that got through counts (reached the rules or became a comment): a sender held for an
// hour is let through again once their earlier messages are an hour old. What it holds is a loop, or
// a flood, the rules and acknowledgements must not feed.
import { RATE_LIMITED_REASON, type SenderHistory } from '../store/sender-rate.js';

export type { SenderHistory } from '../store/sender-rate.js';

/** The reason a message is held, or null when it may go on (no sender, no history, limit 0 = off). */
export function rateLimitReason(email: string | null, history: SenderHistory | undefined, limitPerHour: number): string | null {
  if (email === null || history === undefined || limitPerHour <= 0 || history.reached < limitPerHour) return null;
  const nth = history.reached + history.held + 1;
  return `${RATE_LIMITED_REASON}${ordinal(nth)} message from ${email} in an hour (limit ${limitPerHour} per hour for this profile)`;
}

/** 1 → 1st, 2 → 2nd, 11 → 11th, 21 → 21st, 112 → 112th. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
