// Polls every mailbox profile on its own interval, with jitter so many profiles don't poll in step,
// and backs off after repeated failures. Each profile runs on its own: a hung or broken mailbox never
// delays another. Where the server allows, an IDLE watcher turns new mail into an immediate poll.
// A lease in profile_status makes sure several workers never poll one mailbox at the same time.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from '../store/database.js';
import { signInStatuses, type SignInStatus } from '../store/oauth-tokens.js';
import { listProfiles, type Profile } from '../store/profiles.js';
import type { SecretBox } from '../store/secrets.js';
import type { ConnectionExtras } from './connection-extras.js';
import { credentialedSettings, withCredentials } from './oauth/credentials.js';
import { isPolled, runtimeSettings } from './profile-settings.js';
import type { ResolvedSettings } from './settings.js';
import type { MailSource, PollReport } from './source.js';
import { acquirePollLease, getStatus, recordPollFailure, recordPollSuccess, releasePollLease } from './status.js';

export interface Watcher {
  stop(): Promise<void>;
  /** True while its push connection (IMAP IDLE) is open; counted for the metrics. */
  readonly watching?: boolean;
}

export interface SourceFactory {
  source(settings: ResolvedSettings, extras: ConnectionExtras): MailSource | null;
  /**
   * A push watcher calling onNewMail when mail arrives, for sources that have one. `credentials`, for an
   * OAuth2 mailbox, gives the settings with a fresh access token: the watcher asks at every (re)connect,
   * since the token it started with has long expired by the time the server drops an IDLE connection.
   */
  watch?(settings: ResolvedSettings, extras: ConnectionExtras, onNewMail: () => void, logger?: Logger,
    credentials?: () => Promise<ResolvedSettings>): Watcher | null;
}

export interface SchedulerOptions {
  store: Store;
  secrets: SecretBox;
  sources: SourceFactory;
  /** Processing for a profile, run inside each poll after new mail is stored. */
  afterIntake?: (profile: Profile) => Promise<void>;
  logger?: Logger;
  extras?: ConnectionExtras;
  /** How often the profile list is re-read (new, changed, removed profiles). Default 5 s. */
  refreshMs?: number;
  /** Who holds poll leases: the service's id, so that another worker can tell when it died. */
  owner?: string;
  onPoll?: (profile: Profile, outcome: { report?: PollReport; error?: string }) => void;
}

const MAX_BACKOFF_MS = 30 * 60_000;
/**
 * The right to poll a mailbox lasts this long unless renewed (every third of it, while the poll runs).
 * Short, so that a killed worker's mailbox is free again within seconds, not minutes.
 */
export const POLL_LEASE_MS = 30_000;

export function nextDelayMs(pollSeconds: number, consecutiveFailures: number, random = Math.random()): number {
  const base = pollSeconds * 1000;
  if (consecutiveFailures > 0) return Math.min(base * 2 ** Math.min(consecutiveFailures - 1, 16), MAX_BACKOFF_MS);
  // ±10 % jitter.
  return Math.round(base * (0.9 + 0.2 * random));
}

class ProfileRunner {
  /** The failure last logged at warn level: the same one again is logged at debug, once is enough. */
  private lastFailure = '';
  private wake: (() => void) | null = null;
  private triggered = false;
  private stopped = false;
  private watcher: Watcher | null = null;
  private watchedKey = '';
  private polling: AbortController | null = null;
  readonly done: Promise<void>;

  constructor(
    private profile: Profile,
    private readonly options: SchedulerOptions,
    private readonly owner: string,
    /** The OAuth2 sign-in last seen (null: none), to poll at once when someone signs in again. */
    private signIn: SignInStatus | null = null,
  ) {
    this.done = this.run().catch((error) =>
      options.logger?.error({ profile: profile.name, err: (error as Error).message }, 'profile runner stopped'),
    );
  }

  /** True while this profile's push watcher holds an open connection. */
  get watching(): boolean {
    return this.watcher?.watching === true;
  }

  update(profile: Profile, signIn: SignInStatus | null = null): void {
    const changed = profile.updatedAt !== this.profile.updatedAt || signedInAgain(this.signIn, signIn);
    this.profile = profile;
    this.signIn = signIn;
    // New settings (a fixed password, another host) or a new sign-in are tried now, not after the old backoff.
    if (changed) this.trigger();
  }

  trigger(): void {
    this.triggered = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.polling?.abort(new Error('the worker is stopping'));
    await this.done;
    await this.watcher?.stop();
  }

  private async run(): Promise<void> {
    let trouble = 0;
    while (!this.stopped) {
      try {
        if (!(await this.cycle())) break;
        trouble = 0;
      } catch (error) {
        // The database itself failed (connection reset, busy timeout): the mailbox is not to blame and
        // the worker must not die. Wait, then start the cycle again.
        trouble += 1;
        this.options.logger?.error({ profile: this.profile.name, err: (error as Error).message }, 'scheduling failed; retrying');
        await this.sleep(Math.min(1000 * 2 ** trouble, 60_000));
      }
    }
  }

  /** Wait until the profile is due, then poll it once. False when the profile has no mailbox to poll. */
  private async cycle(): Promise<boolean> {
    const { store, logger } = this.options;
    const status = await getStatus(store.db, this.profile.id);
    const waitMs = status.nextPollAt ? Date.parse(status.nextPollAt) - Date.now() : 0;
    if (waitMs > 0 && !this.triggered) await this.sleep(waitMs);
    if (this.stopped) return true;
    this.triggered = false;
    let settings: ResolvedSettings | null;
    try {
      settings = runtimeSettings(this.profile, this.options.secrets);
    } catch (error) {
      // A wrong secret key or unreadable settings: nothing to connect with. Said as plainly as
      // `profile status` says it, and tried again in a minute (the key may be fixed meanwhile).
      const message = (error as Error).message;
      await recordPollFailure(store.db, this.profile.id, message, new Date(Date.now() + 60_000).toISOString());
      this.logFailure(message, 'cannot read the mailbox settings', {}, 'error');
      await this.sleep(60_000);
      return true;
    }
    if (!settings) return false;
    this.ensureWatcher(settings);
    const source = this.options.sources.source(settings, this.options.extras ?? {});
    if (!source) return false;
    const takeover = (from: string, why: 'lease expired' | 'holder stopped') =>
      logger?.warn({ profile: this.profile.name, from, why },
        why === 'holder stopped' ? 'took over the mailbox from a worker that stopped' : 'took over the mailbox: the other worker\'s lease ran out');
    if (!(await acquirePollLease(store.db, this.profile.id, this.owner, POLL_LEASE_MS, takeover))) {
      // Another worker polls it; ask again before its lease could run out, should it die.
      await this.sleep(Math.min(settings.pollSeconds * 1000, POLL_LEASE_MS / 2));
      return true;
    }
    // The lease is renewed while the poll runs (downloads and processing can outlast it); a renewal
    // that fails, or stop(), aborts the poll so that two workers never poll one mailbox.
    this.polling = new AbortController();
    const signal = this.polling.signal;
    // A stop that came while the lease was being taken found no poll to abort: abort it now.
    if (this.stopped) this.polling.abort(new Error('the worker is stopping'));
    const renew = setInterval(() => {
      acquirePollLease(store.db, this.profile.id, this.owner, POLL_LEASE_MS)
        .then((held) => held || this.polling?.abort(new Error('the poll lease was lost to another worker')))
        .catch((error) => this.polling?.abort(error));
    }, POLL_LEASE_MS / 3);
    const profile = this.profile;
    try {
      // An OAuth2 mailbox's token is obtained here, under the poll lease: a sign-in that is missing or
      // stopped fails the poll with its words (backed off like any failure, without asking the provider),
      // and a token the server refuses is refreshed once and tried again (credentials.ts).
      const report = await withCredentials(this.tokenContext(), profile, (credentialed) => source.poll({
        store,
        profile,
        settings: credentialed,
        signal,
        ...(logger ? { logger } : {}),
        ...(this.options.afterIntake ? { afterIntake: () => this.options.afterIntake!(profile) } : {}),
      }));
      // A poll stopped on the way (POP3 returns what it did) has not looked at every message: its list is partial.
      await recordPollSuccess(store.db, this.profile.id, new Date(Date.now() + nextDelayMs(settings.pollSeconds, 0)).toISOString(),
        signal.aborted ? undefined : report.failed);
      this.options.onPoll?.(this.profile, { report });
      if (this.lastFailure) logger?.info({ profile: this.profile.name }, 'the mailbox works again');
      this.lastFailure = '';
      logger?.info({ profile: this.profile.name, ...report, failed: report.failed.length }, 'polled');
    } catch (error) {
      const message = (error as Error).message;
      if (signal.aborted) {
        // Stopping, or the lease went to another worker: not the mailbox's fault, and the status row
        // (shared with that worker) keeps what it says.
        logger?.info({ profile: this.profile.name, why: message }, 'poll stopped');
        return true;
      }
      const failures = (await getStatus(store.db, this.profile.id)).consecutiveFailures + 1;
      await recordPollFailure(store.db, this.profile.id, message, new Date(Date.now() + nextDelayMs(settings.pollSeconds, failures)).toISOString());
      this.options.onPoll?.(this.profile, { error: message });
      this.logFailure(message, 'poll failed', { failures });
    } finally {
      clearInterval(renew);
      this.polling = null;
      await releasePollLease(store.db, this.profile.id, this.owner);
    }
    return true;
  }

  private logFailure(message: string, what: string, extra: Record<string, unknown> = {}, first: 'warn' | 'error' = 'warn'): void {
    const level = message === this.lastFailure ? 'debug' : first;
    this.options.logger?.[level]({ profile: this.profile.name, err: message, ...extra }, what);
    this.lastFailure = message;
  }

  private tokenContext() {
    return { db: this.options.store.db, secrets: this.options.secrets };
  }

  /** `settings` without a token: a refreshed token is no reason to drop the watcher's connection. */
  private ensureWatcher(settings: ResolvedSettings): void {
    const key = JSON.stringify(settings);
    if (key === this.watchedKey) return;
    void this.watcher?.stop();
    this.watchedKey = key;
    // Read at each (re)connect, from the profile as it is then.
    const credentials = this.profile.source?.auth === 'oauth2'
      ? async () => (await credentialedSettings(this.tokenContext(), this.profile))?.settings ?? settings
      : undefined;
    this.watcher = settings.idle && this.options.sources.watch
      ? this.options.sources.watch(settings, this.options.extras ?? {}, () => this.trigger(), this.options.logger, credentials)
      : null;
  }

  private sleep(ms: number): Promise<void> {
    // stop() wakes a sleep in progress; one that would begin after it (the stop came during a
    // database call) must not begin at all, or stopping waits a whole poll interval.
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }
}

/** Signed in anew, or a stopped sign-in working again (Check Connection's refresh): worth a poll now. */
function signedInAgain(before: SignInStatus | null, now: SignInStatus | null): boolean {
  if (!now) return false;
  return now.signedInAt !== before?.signedInAt || (before.state === 'stopped' && now.state !== 'stopped');
}

export class Scheduler {
  private readonly runners = new Map<number, ProfileRunner>();
  private readonly owner: string;
  private refreshTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {
    this.owner = options.owner ?? `${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  async start(): Promise<void> {
    await this.refresh();
    const schedule = () => {
      this.refreshTimer = setTimeout(() => {
        void this.refresh()
          .catch((error) => this.options.logger?.error({ err: (error as Error).message }, 'cannot read profiles'))
          .finally(() => !this.stopped && schedule());
      }, this.options.refreshMs ?? 5_000);
    };
    schedule();
  }

  /** How many push (IMAP IDLE) connections are open now, one at most per profile. */
  idleConnections(): number {
    let open = 0;
    for (const runner of this.runners.values()) if (runner.watching) open += 1;
    return open;
  }

  /** Poll a profile now (e.g. after a settings change). */
  trigger(profileId: number): void {
    this.runners.get(profileId)?.trigger();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    this.runners.clear();
  }

  private async refresh(): Promise<void> {
    if (this.stopped) return;
    const profiles = (await listProfiles(this.options.store.db)).filter(isPolled);
    const ids = new Set(profiles.map((p) => p.id));
    const oauth = profiles.filter((p) => p.source?.auth === 'oauth2').map((p) => p.id);
    const signIns = new Map((await signInStatuses(this.options.store.db, oauth)).map((s) => [s.profileId, s]));
    for (const [id, runner] of this.runners) {
      if (!ids.has(id)) {
        this.runners.delete(id);
        await runner.stop();
      }
    }
    if (this.stopped) return;
    for (const profile of profiles) {
      const runner = this.runners.get(profile.id);
      const signIn = signIns.get(profile.id) ?? null;
      if (runner) runner.update(profile, signIn);
      else this.runners.set(profile.id, new ProfileRunner(profile, this.options, this.owner, signIn));
    }
  }
}
