// Failed sign-ins, counted over a sliding window three ways: per account and address together (a
// person mistyping, or one attacker at one account), per account over all addresses (a spread-out
// attack on one account; high, so that strangers cannot lock an admin out cheaply), and per address
// over all accounts (password spraying). Past a limit, sign-in is refused before the password is
// checked, until the oldest failure in the window has aged out.
//
// An attempt counts as a failure from the moment it begins (`begin`) until it succeeds: the password
// check takes ~100 ms (scrypt), and counting only afterwards let any number of parallel guesses
// through. A success clears the failures of that account from that address, not the address's
// others: one good password does not buy an address more guesses at other accounts.
//
// In memory, per process, on purpose: only `mailbind serve` answers sign-ins, and one serve process
// holds the HTTP API of a data dir, so its memory sees every attempt. A restart forgets the counts,
// which costs an attacker a restart per window, not a way around the limit; keeping no table also
// means a flood of failures writes nothing to the database.
import { rateLimited } from './errors.js';

export interface LoginLimiterOptions {
  /** Failures for one account from one address within the window (default 5). */
  perAccount?: number;
  /** Failures for one account from all addresses within the window (default 100). */
  perAccountTotal?: number;
  /** Failures from one address, for any accounts, within the window (default 20). */
  perIp?: number;
  /** Default 15 minutes. */
  windowMs?: number;
  /** Milliseconds since the epoch; tests move time instead of waiting. */
  now?: () => number;
}

/** One sign-in attempt in progress, counted as a failure unless it succeeds. */
export interface Attempt {
  readonly at: number;
  readonly keys: readonly string[];
  readonly pairKey: string;
}

export class LoginLimiter {
  private readonly limits: Array<{ key: (name: string, ip: string) => string; limit: number; whose: string }>;
  private readonly windowMs: number;
  private readonly now: () => number;
  /** Times of failures still in the window, oldest first, by key. */
  private readonly failures = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(options: LoginLimiterOptions = {}) {
    this.limits = [
      { key: pairKey, limit: options.perAccount ?? 5, whose: 'for this account' },
      { key: (name) => `account:${normal(name)}`, limit: options.perAccountTotal ?? 100, whose: 'for this account' },
      { key: (_name, ip) => `ip:${ip}`, limit: options.perIp ?? 20, whose: 'from this address' },
    ];
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Refuses (a 'rate-limited' AppError) when a limit is full; else counts the attempt as a failure. */
  begin(name: string, ip: string): Attempt {
    const at = this.now();
    this.sweep(at);
    for (const { key, limit, whose } of this.limits) this.refuseIfFull(key(name, ip), limit, at, whose);
    const keys = this.limits.map(({ key }) => key(name, ip));
    for (const key of keys) this.failures.set(key, [...this.recent(key, at), at]);
    return { at, keys, pairKey: pairKey(name, ip) };
  }

  /** The attempt was right: it no longer counts, nor do that account's earlier failures from that address. */
  succeeded(attempt: Attempt): void {
    for (const key of attempt.keys) {
      const times = this.failures.get(key);
      const index = times?.indexOf(attempt.at) ?? -1;
      if (times && index >= 0) times.splice(index, 1);
    }
    this.failures.delete(attempt.pairKey);
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

const normal = (name: string) => name.trim().toLowerCase();
const pairKey = (name: string, ip: string) => `pair:${normal(name)}\n${ip}`;

function inWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
