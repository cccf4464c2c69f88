// Alerts to a webhook (MAILBIND_ALERT_WEBHOOK): a profile starts failing (N polls in a row failed, or
// no successful poll for a while although it has a mailbox), it recovers, the backlog stalls (due
// messages wait and none got an outcome for a while), it moves again, and a sender's mail is held by
// the per-sender rate limit (once per sender and profile per hour: a loop that goes on is announced
// again each hour, not at every message), and an OAuth2 mailbox's sign-in is about to stop working
// (refreshing its access token fails), has stopped (sign in again) or works again (sign-in-alerts.ts).
// A poll that works but cannot download some messages (the server refuses to send one, the database its
// row: each stays on the server, tried every poll) is announced too, and so is the poll that downloads
// them all: the poll succeeded, so profile.failing never says it.
// Checked on a timer from the
// database, so it sees what every worker did; each alert is sent once per transition, not at every
// check. Sending happens in the background (webhook-queue.ts): a slow or failing webhook never holds up
// a check, let alone intake or processing, which do not know this exists.
//
// The state is this process's memory: after a restart a profile that is still failing is announced
// once more, which is better than an outage nobody hears of.
import type { Logger } from 'pino';
import { isPolled } from '../sources/profile-settings.js';
import { signInStatuses } from '../store/oauth-tokens.js';
import { pollHealth, processingProgress, type PollHealth } from '../store/observations.js';
import { listProfiles, type Profile } from '../store/profiles.js';
import { heldSendersSince } from '../store/sender-rate.js';
import type { App } from './app.js';
import { userError, type FieldError } from './errors.js';
import { SignInAlerts } from './sign-in-alerts.js';
import { WebhookQueue } from './webhook-queue.js';

export type AlertEvent =
  | 'profile.failing'
  | 'profile.recovered'
  | 'backlog.stalled'
  | 'backlog.moving'
  | 'download.failing'
  | 'download.recovered'
  | 'sender.rate-limited'
  | 'sign-in.failing'
  | 'sign-in.stopped'
  | 'sign-in.recovered';

export interface Alert {
  event: AlertEvent;
  profile?: { id: number; name: string };
  reason: string;
  /** When the check saw the transition (ISO 8601). */
  at: string;
  details: Record<string, unknown>;
}

export interface AlertOptions {
  webhook?: string;
  /** Failed polls in a row that make a profile failing; default 3. */
  failures?: number;
  /** No successful poll for this long makes a profile with a mailbox failing; default 60 minutes. */
  silenceMs?: number;
  /** Due messages and no outcome for this long is a stalled backlog; default 15 minutes. */
  stallMs?: number;
  /** How often start() checks; default 60 s (the first check after one interval: polls go first). */
  checkEveryMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
  /** Delivery: attempts per alert (default 5) and the first retry's delay (default 1 000 ms, doubling). */
  tries?: number;
  retryMs?: number;
}

export const DEFAULT_ALERT_FAILURES = 3;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export class AlertMonitor {
  private readonly failures: number;
  private readonly silenceMs: number;
  private readonly stallMs: number;
  private readonly now: () => number;
  private readonly queue: WebhookQueue | null;
  /** Each profile's state as last checked; a profile not in it has not been checked yet. */
  private readonly failing = new Map<number, boolean>();
  /** Whether each profile's latest poll left messages it could not download, as last checked. */
  private readonly notDownloading = new Map<number, boolean>();
  private stalled: boolean | undefined;
  /** When each held sender (`profile id` + address) was last announced. */
  private readonly heldAnnounced = new Map<string, number>();
  private readonly signIns = new SignInAlerts();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly app: App,
    private readonly logger: Logger,
    private readonly options: AlertOptions = {},
  ) {
    this.failures = options.failures ?? DEFAULT_ALERT_FAILURES;
    this.silenceMs = options.silenceMs ?? 60 * MINUTE;
    this.stallMs = options.stallMs ?? 15 * MINUTE;
    this.now = options.now ?? Date.now;
    this.queue = options.webhook
      ? new WebhookQueue({
          url: options.webhook,
          logger,
          ...(options.fetch ? { fetch: options.fetch } : {}),
          ...(options.tries !== undefined ? { tries: options.tries } : {}),
          ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
        })
      : null;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    const every = this.options.checkEveryMs ?? MINUTE;
    const schedule = () => {
      this.timer = setTimeout(() => {
        void this.check().finally(() => !this.stopped && schedule());
      }, every);
    };
    schedule();
  }

  /** Stops checking; alerts already queued get a short while to go out. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await this.queue?.close();
  }

  /** One check: compares what the database says with the last check and queues an alert per change. */
  check(): Promise<void> {
    this.running ??= this.evaluate()
      .catch((error) => this.logger.warn({ err: (error as Error).message }, 'alert check failed'))
      .finally(() => (this.running = null));
    return this.running;
  }

  private async evaluate(): Promise<void> {
    const now = this.now();
    const db = this.app.store.db;
    const [profiles, health, signIns] = await Promise.all([listProfiles(db), pollHealth(db), signInStatuses(db)]);
    const byId = new Map(health.map((h) => [h.profileId, h]));
    const present = new Set<number>();
    for (const profile of profiles) {
      // Only mailboxes are polled; a profile fed by deliver or push intake cannot fail a poll.
      if (!isPolled(profile)) continue;
      present.add(profile.id);
      const h = byId.get(profile.id);
      const trouble = this.trouble(profile, h, now);
      const was = this.failing.get(profile.id);
      this.failing.set(profile.id, trouble !== null);
      const who = { id: profile.id, name: profile.name };
      const details = { consecutiveFailures: h?.consecutiveFailures ?? 0, lastSuccessAt: h?.lastSuccessAt ?? null, lastError: h?.lastError ?? null };
      if (trouble && was !== true) this.send({ event: 'profile.failing', profile: who, reason: trouble, at: iso(now), details });
      // A profile first seen healthy has nothing to recover from.
      if (!trouble && was === true) this.send({ event: 'profile.recovered', profile: who, reason: 'the mailbox is polled successfully again', at: iso(now), details });
      this.downloads(who, h, now);
    }
    for (const id of this.failing.keys()) if (!present.has(id)) this.failing.delete(id);
    for (const id of this.notDownloading.keys()) if (!present.has(id)) this.notDownloading.delete(id);
    for (const alert of this.signIns.changes(profiles, signIns, now)) this.send(alert);

    const since = iso(now - this.stallMs);
    const progress = await processingProgress(db, since);
    const stalled = progress.overdue > 0 && (progress.lastFinishedAt === null || progress.lastFinishedAt <= since);
    const details = { overdue: progress.overdue, lastFinishedAt: progress.lastFinishedAt };
    const minutes = Math.round(this.stallMs / MINUTE);
    if (stalled && this.stalled !== true) {
      this.send({ event: 'backlog.stalled', reason: `${progress.overdue} due message(s) waiting and none processed for ${minutes} minutes`, at: iso(now), details });
    }
    if (!stalled && this.stalled === true) this.send({ event: 'backlog.moving', reason: 'messages are processed again', at: iso(now), details });
    this.stalled = stalled;

    await this.heldSenders(profiles, now);
  }

  /** A sender whose mail the rate limit held in the last hour, not announced in the last hour: one alert. */
  private async heldSenders(profiles: Profile[], now: number): Promise<void> {
    const byId = new Map(profiles.map((p) => [p.id, p]));
    for (const held of await heldSendersSince(this.app.store.db, iso(now - HOUR))) {
      const key = `${held.profileId} ${held.email}`;
      const last = this.heldAnnounced.get(key);
      if (last !== undefined && now - last < HOUR) continue;
      this.heldAnnounced.set(key, now);
      const profile = byId.get(held.profileId);
      const limit = profile?.threading.rateLimitPerSenderHour;
      this.send({
        event: 'sender.rate-limited',
        ...(profile ? { profile: { id: profile.id, name: profile.name } } : {}),
        reason: `${held.email} sent more mail than the profile takes from one sender in an hour${limit ? ` (${limit})` : ''}: ${held.held} message(s) held as ignored, rate limited`,
        at: iso(now),
        details: { sender: held.email, held: held.held, lastHeldAt: held.lastAt, limit: limit ?? null },
      });
    }
    for (const [key, at] of this.heldAnnounced) if (now - at >= HOUR) this.heldAnnounced.delete(key);
  }

  /** Messages a working poll could not download: one alert when some are left, one when none are any more. */
  private downloads(who: { id: number; name: string }, h: PollHealth | undefined, now: number): void {
    const count = h?.notDownloaded ?? 0;
    const was = this.notDownloading.get(who.id);
    this.notDownloading.set(who.id, count > 0);
    const first = h?.firstNotDownloaded ?? null;
    if (count > 0 && was !== true) {
      this.send({
        event: 'download.failing',
        profile: who,
        reason: `${count} message(s) on the server could not be downloaded; each stays there and is tried again every poll` +
          (first ? ` (${first.key}: ${first.error})` : ''),
        at: iso(now),
        details: { notDownloaded: count, first },
      });
    }
    // A profile first seen with every message downloaded has nothing to recover from.
    if (count === 0 && was === true) {
      // Also when the mailbox settings changed, which clears the list without a poll.
      this.send({ event: 'download.recovered', profile: who, reason: 'no message is listed as not downloaded any more', at: iso(now), details: { notDownloaded: 0, first: null } });
    }
  }

  /** Why the profile is failing, or null when it is not. */
  private trouble(profile: Profile, h: { consecutiveFailures: number; lastSuccessAt: string | null; lastError: string | null } | undefined, now: number): string | null {
    if (h && h.consecutiveFailures >= this.failures) {
      return `${h.consecutiveFailures} polls in a row failed${h.lastError ? `: ${h.lastError}` : ''}`;
    }
    // Never polled successfully: counted from when the profile was made. A mailbox polled less often
    // than the silence allows is silent only after missing two of its own polls.
    const lastGood = Date.parse(h?.lastSuccessAt ?? profile.createdAt);
    const silenceMs = Math.max(this.silenceMs, 2 * (profile.source?.pollSeconds ?? 0) * 1000);
    if (now - lastGood >= silenceMs) return `no successful poll for ${Math.round((now - lastGood) / MINUTE)} minutes`;
    return null;
  }

  private send(alert: Alert): void {
    // Said in the log too: an operator without a webhook (or with a broken one) can still read it.
    this.logger.warn({ event: alert.event, ...(alert.profile ? { profile: alert.profile.name } : {}), reason: alert.reason }, 'alert');
    this.queue?.push(alert, alert.event);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Alert settings from the environment: MAILBIND_ALERT_WEBHOOK, MAILBIND_ALERT_FAILURES,
 * MAILBIND_ALERT_SILENCE_MINUTES, MAILBIND_ALERT_STALL_MINUTES, MAILBIND_ALERT_CHECK_SECONDS (how often
 * to look; default 60). Null when no webhook is set (no alerts).
 * A wrong value is refused with every mistake named; the webhook's value is never repeated (it may
 * hold a token).
 */
export function alertOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AlertOptions | null {
  const webhook = env.MAILBIND_ALERT_WEBHOOK?.trim();
  if (!webhook) return null;
  const fields: FieldError[] = [];
  if (!isHttpUrl(webhook)) fields.push({ field: 'MAILBIND_ALERT_WEBHOOK', message: 'MAILBIND_ALERT_WEBHOOK should be an http:// or https:// address' });
  const number = (name: string, whole: boolean): number | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
      fields.push({ field: name, message: `${name} should be a ${whole ? 'whole number' : 'number'} greater than 0 (not ${JSON.stringify(raw)})` });
      return undefined;
    }
    return value;
  };
  const failures = number('MAILBIND_ALERT_FAILURES', true);
  const silence = number('MAILBIND_ALERT_SILENCE_MINUTES', false);
  const stall = number('MAILBIND_ALERT_STALL_MINUTES', false);
  const every = number('MAILBIND_ALERT_CHECK_SECONDS', false);
  if (fields.length) throw userError(fields.map((f) => f.message).join('; '), { fields });
  return {
    webhook,
    ...(failures !== undefined ? { failures } : {}),
    ...(silence !== undefined ? { silenceMs: silence * MINUTE } : {}),
    ...(stall !== undefined ? { stallMs: stall * MINUTE } : {}),
    ...(every !== undefined ? { checkEveryMs: every * 1000 } : {}),
  };
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
