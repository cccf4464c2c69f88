// Browser sessions: sign in with a name and password, resume from the cookie on each request, sign
// out. The cookie value and the CSRF token are random; the database keeps only the cookie's SHA-256.
// A session ends when idle for MAILBIND_SESSION_IDLE_MINUTES (default 120), at the latest
// MAILBIND_SESSION_MAX_HOURS (default 12) after sign-in, when its account's password changes, and
// at sign-out. How the cookie is set (HttpOnly, SameSite, Secure) is the server's part.
import { findAccount } from '../store/accounts.js';
import * as sessions from '../store/sessions.js';
import type { App } from './app.js';
import { newSecret, secretHash } from './bearer-secrets.js';
import { userError } from './errors.js';
import type { LoginLimiter } from './login-limiter.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';

export interface NewSession {
  /** For the cookie; shown to the browser only. */
  cookieValue: string;
  /** Sent back by the browser with every change (header), compared with this. */
  csrfToken: string;
  /** The absolute expiry (the idle limit may end it sooner). */
  expiresAt: string;
}

export interface ResumedSession {
  principal: Principal;
  csrfToken: string;
  expiresAt: string;
}

export interface SessionOptions {
  /** Milliseconds since the epoch; tests move time instead of waiting. */
  now?: () => number;
  /** Where the limits are read from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface ResumeOptions extends SessionOptions {
  /**
   * false: the request is not the person's doing (a page polling in the background), so it does not
   * count as activity and the idle limit keeps running; default true.
   */
  touch?: boolean;
}

/** last_seen_at is written at most this often: a page of many requests is one write, not many. */
const TOUCH_EVERY_MS = 60_000;
const MINUTE = 60_000;

export function sessionLimits(env: NodeJS.ProcessEnv = process.env): { idleMs: number; maxMs: number } {
  return {
    idleMs: positive(env, 'MAILBIND_SESSION_IDLE_MINUTES', 120) * MINUTE,
    maxMs: positive(env, 'MAILBIND_SESSION_MAX_HOURS', 12) * 60 * MINUTE,
  };
}

function positive(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw userError(`${variable} should be a positive number, not '${raw}'`);
  return value;
}

// Unknown names are checked against this, so that they take as long as a wrong password.
let dummyHash: Promise<string> | undefined;

/**
 * Checks the password (the same answer for an unknown name and a wrong password), applies the
 * limiter, and starts a session.
 */
export async function login(
  app: App,
  limiter: LoginLimiter,
  input: { name: string; password: string; ip: string },
  options: SessionOptions = {},
): Promise<{ principal: Principal; session: NewSession }> {
  const name = input.name.trim();
  const attempt = limiter.begin(name, input.ip);
  // Made at the first sign-in of the process, known name or not, so that later no answer is slower.
  dummyHash ??= hashPassword(newSecret());
  const account = name ? await findAccount(app.store.db, name) : undefined;
  const stored = account?.passwordHash ?? (await dummyHash);
  const ok = (await verifyPassword(input.password, stored)) && account !== undefined;
  if (!ok || !account) throw userError('wrong name or password');
  limiter.succeeded(attempt);

  const { idleMs, maxMs } = sessionLimits(options.env);
  const at = options.now?.() ?? Date.now();
  const cookieValue = newSecret();
  const csrfToken = newSecret();
  const expiresAt = new Date(at + maxMs).toISOString();
  // Housekeeping: sessions nobody signed out of are dropped here, not by a timer.
  await sessions.deleteExpiredSessions(app.store.db, new Date(at).toISOString(), new Date(at - idleMs).toISOString());
  await sessions.insertSession(app.store.db, { idHash: secretHash(cookieValue), accountId: account.id, csrfToken, at: new Date(at).toISOString(), expiresAt });
  return {
    principal: { kind: 'account', name: account.name, role: account.role, accountId: account.id },
    session: { cookieValue, csrfToken, expiresAt },
  };
}

/** Null when unknown, idle too long or past its absolute expiry (an expired row is deleted then). */
export async function resumeSession(app: App, cookieValue: string, options: ResumeOptions = {}): Promise<ResumedSession | null> {
  if (!cookieValue) return null;
  const idHash = secretHash(cookieValue);
  const row = await sessions.findSession(app.store.db, idHash);
  if (!row) return null;
  const { idleMs } = sessionLimits(options.env);
  const at = options.now?.() ?? Date.now();
  const lastSeen = Date.parse(row.lastSeenAt);
  if (Date.parse(row.expiresAt) <= at || lastSeen + idleMs <= at) {
    await sessions.deleteSession(app.store.db, idHash);
    return null;
  }
  if (options.touch !== false && at - lastSeen >= TOUCH_EVERY_MS) await sessions.touchSession(app.store.db, idHash, new Date(at).toISOString());
  return {
    principal: { kind: 'account', name: row.accountName, role: row.role, accountId: row.accountId },
    csrfToken: row.csrfToken,
    expiresAt: row.expiresAt,
  };
}

/** Sign-out: the row is deleted, so the cookie is worth nothing even if a copy of it survives. */
export async function endSession(app: App, cookieValue: string): Promise<void> {
  if (!cookieValue) return;
  await sessions.deleteSession(app.store.db, secretHash(cookieValue));
}
