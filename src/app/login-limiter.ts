// Failed sign-ins, counted per account name and per client address over a sliding window; past the
// limit, sign-in is refused (before the password is even checked) until the oldest failure in the
// window has aged out. A success clears the account's count, not the address's: one good password
// does not buy an address more guesses at other accounts.
//
// In memory, per process, on purpose: only `mailbind serve` answers sign-ins, and one serve process
// holds the HTTP API of a data dir, so its memory sees every attempt. A restart forgets the counts,
// which costs an attacker a restart per window, not a way around the limit; keeping no table also
// means a flood of failures writes nothing to the database.
import { rateLimited } from './errors.js';

export interface LoginLimiterOptions {
  /** Failures per account name within the window before it is locked (default 5). */
  perAccount?: number;
  /** Failures from one address within the window before it is locked (default 20). */
  perIp?: number;
  /** Default 15 minutes. */
  windowMs?: number;
  /** Milliseconds since the epoch; tests move time instead of waiting. */
  now?: () => number;
}

export class LoginLimiter {
  private readonly perAccount: number;
  private readonly perIp: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  /** Times of failures still in the window, oldest first, by 'account:name' or 'ip:address'. */
  private readonly failures = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(options: LoginLimiterOptions = {}) {
    this.perAccount = options.perAccount ?? 5;
    this.perIp = options.perIp ?? 20;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Throws a 'rate-limited' AppError when the account or the address has failed too often. */
  assertAllowed(name: string, ip: string): void {
    const at = this.now();
    this.sweep(at);
    this.refuseIfFull(accountKey(name), this.perAccount, at, 'for this account');
    this.refuseIfFull(ipKey(ip), this.perIp, at, 'from this address');
  }

  recordFailure(name: string, ip: string): void {
    const at = this.now();
    for (const key of [accountKey(name), ipKey(ip)]) {
      const times = this.recent(key, at);
      times.push(at);
      this.failures.set(key, times);
    }
  }

  recordSuccess(name: string): void {
    this.failures.delete(accountKey(name));
  }

  private refuseIfFull(key: string, limit: number, at: number, whose: string): void {
    const times = this.recent(key, at);
    if (times.length < limit) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((times[times.length - limit]! + this.windowMs - at) / 1000));
    throw rateLimited(`too many failed sign-ins ${whose}; try again in ${inWords(retryAfterSeconds)}`, retryAfterSeconds);
  }

  /** The failures of `key` still inside the window at `at`. */
  private recent(key: string, at: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > at - this.windowMs);
    if (times.length) this.failures.set(key, times);
    else this.failures.delete(key);
    return times;
  }

  /** Forgets names and addresses whose failures all aged out, at most once a window: memory stays bounded. */
  private sweep(at: number): void {
    if (at - this.lastSweep < this.windowMs) return;
    this.lastSweep = at;
    for (const key of [...this.failures.keys()]) this.recent(key, at);
  }
}

const accountKey = (name: string) => `account:${name.trim().toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;

function inWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
