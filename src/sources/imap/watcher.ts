// Push notification for an IMAP folder: one connection kept in IDLE, calling onNewMail() as soon as the
// server announces a new message (EXISTS), so the scheduler can poll at once instead of at the next
// interval. The watcher never stores mail itself. imapflow does not reconnect, so this does: after a
// close or failure it waits 1 s, 2 s, 4 s … up to a minute, and starts at 1 s again once connected.
//
//   const watcher = new ImapWatcher({ settings, onNewMail: () => scheduler.pollNow(profile.id) });
//   watcher.start();
//   …
//   await watcher.stop();   // logs out
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ResolvedSettings } from '../settings.js';
import type { ImapSourceOptions } from './options.js';
import { ImapSession } from './session.js';

export type NewMailReason = 'exists' | 'connected';

export interface ImapWatcherOptions extends ImapSourceOptions {
  settings: ResolvedSettings;
  /**
   * The settings to log in with, asked at every (re)connect: an OAuth2 mailbox's access token expires
   * long before the server drops an IDLE connection, so a reconnect needs a fresh one, not the first.
   */
  credentials?: () => Promise<ResolvedSettings>;
  /**
   * Called when the server announces new mail ('exists'), and after every (re)connect ('connected'),
   * because mail may have arrived while nobody was watching.
   */
  onNewMail: (reason: NewMailReason) => void;
  logger?: Logger;
  /** Reconnect delays; default 1 000 ms doubling up to 60 000 ms. */
  backoff?: { initialMs?: number; maxMs?: number };
}

/**
 * Events: 'watching' (connected, folder selected, idling), 'disconnected' (Error: why, before the
 * reconnect wait), 'newMail' (reason).
 */
export class ImapWatcher extends EventEmitter {
  private stopped = true;
  private loop: Promise<void> | undefined;
  private session: ImapSession | undefined;
  private attempt: AbortController | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: ImapWatcherOptions) {
    super();
  }

  /** True while a connection is open and idling on the folder. */
  get watching(): boolean {
    return !!this.session?.usable;
  }

  start(): void {
    if (this.loop) return;
    this.stopped = false;
    this.loop = this.run().finally(() => (this.loop = undefined));
  }

  /** Stops watching: logs out (or abandons a connection attempt) and resolves when everything is closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.attempt?.abort(new Error('the watcher was stopped'));
    this.wake?.();
    await this.session?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    const initialMs = this.options.backoff?.initialMs ?? 1000;
    const maxMs = this.options.backoff?.maxMs ?? 60_000;
    let delay = initialMs;
    // The same failure every minute is said once; it is said again when it changes or after a success.
    let lastFailure = '';
    while (!this.stopped) {
      try {
        await this.watchOnce(() => {
          delay = initialMs;
          lastFailure = '';
        });
        if (!this.stopped) this.emit('disconnected', new Error('the server closed the connection'));
      } catch (err) {
        if (this.stopped) break;
        const message = (err as Error).message;
        const level = message === lastFailure ? 'debug' : 'warn';
        this.options.logger?.[level]({ err: message, retryInMs: delay }, 'IMAP watcher could not connect');
        lastFailure = message;
        this.emit('disconnected', err);
      }
      if (this.stopped) break;
      await this.sleep(delay);
      delay = Math.min(delay * 2, maxMs);
    }
  }

  /** One connection's life: resolves when it closes. */
  private async watchOnce(connected: () => void): Promise<void> {
    const { logger } = this.options;
    this.attempt = new AbortController();
    const settings = this.options.credentials ? await abandonedOn(this.attempt.signal, this.options.credentials()) : this.options.settings;
    const session = await ImapSession.open(settings, this.options, {
      ...(logger ? { logger } : {}), signal: this.attempt.signal, readOnly: true, idle: true,
    });
    this.attempt = undefined;
    if (this.stopped) {
      await session.close();
      return;
    }
    this.session = session;
    connected();
    const closed = new Promise<void>((resolve) => session.client.once('close', () => resolve()));
    session.client.on('exists', () => this.notify('exists'));
    this.emit('watching');
    this.notify('connected');
    // Start IDLE now: imapflow's auto-IDLE would only begin after its delay, and until then the server
    // announces nothing (stack.md §12.4).
    session.client.idle().catch((err: Error) => logger?.debug({ err: err.message }, 'IMAP IDLE ended'));
    await closed;
    this.session = undefined;
  }

  private notify(reason: NewMailReason): void {
    this.emit('newMail', reason);
    try {
      this.options.onNewMail(reason);
    } catch (err) {
      this.options.logger?.error({ err: (err as Error).message }, 'onNewMail failed');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }
}

/** `work`, or the signal's reason as soon as it aborts: stop() does not wait for a token refresh. */
function abandonedOn<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
