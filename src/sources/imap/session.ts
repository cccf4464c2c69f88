// One logged-in IMAP connection with its folder selected, as poll() and the watcher use it. Every
// command runs under a watchdog (deadline.ts); failures become ImapSourceErrors with a message for
// people; an AbortSignal closes the connection at once. imapflow never reconnects by itself: a caller
// that finds `usable` false opens a new session.
import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { ResolvedSettings } from '../settings.js';
import { watchdog, type Watch } from './deadline.js';
import { describeImapError, ImapSourceError, ImapTimeoutError } from './errors.js';
import { flowOptions, timeoutsOf, type ImapSourceOptions, type Timeouts } from './options.js';

export interface OpenOptions {
  logger?: Logger;
  signal?: AbortSignal;
  /** EXAMINE instead of SELECT: nothing on the server can change (and \Recent is left alone). */
  readOnly?: boolean;
  /** Keep the connection in IDLE between commands (the watcher). */
  idle?: boolean;
}

export interface SelectedFolder {
  path: string;
  /** UIDVALIDITY as decimal text: imapflow gives a bigint, which JSON cannot carry. */
  uidValidity: string;
  exists: number;
  uidNext: number;
}

export class ImapSession {
  private constructor(
    readonly client: ImapFlow,
    readonly settings: ResolvedSettings,
    readonly timeouts: Timeouts,
    readonly folder: SelectedFolder,
    private readonly detach: () => void,
    private readonly signal: AbortSignal | undefined,
  ) {}

  static async open(settings: ResolvedSettings, options: ImapSourceOptions, open: OpenOptions = {}): Promise<ImapSession> {
    const timeouts = timeoutsOf(options);
    const { client, detach } = await connectClient(settings, options, open);
    try {
      const box = await watchdog(client, timeouts.commandMs,
        () => new ImapTimeoutError(`opening folder '${settings.folder}'`, timeouts.commandMs, settings),
        () => client.mailboxOpen(settings.folder, { readOnly: !!open.readOnly }));
      const folder: SelectedFolder = {
        path: box.path,
        uidValidity: box.uidValidity.toString(),
        exists: box.exists,
        uidNext: box.uidNext,
      };
      return new ImapSession(client, settings, timeouts, folder, detach, open.signal);
    } catch (err) {
      detach();
      client.close();
      if (open.signal?.aborted) throw abortError(open.signal);
      throw asSourceError(err, settings, client, 'folder');
    }
  }

  get usable(): boolean {
    return this.client.usable;
  }

  /**
   * Runs one command (or a stream of them) under the command watchdog; `what` completes "… while what".
   * Bytes arriving count as progress: a large answer on a slow link is not a silence.
   */
  run<T>(what: string, work: (watch: Watch) => Promise<T>): Promise<T> {
    const received = () => this.client.stats().received;
    const before = received();
    return watchdog(this.client, this.timeouts.commandMs,
      () => new ImapTimeoutError(what, this.timeouts.commandMs, this.settings, received() - before), work, received)
      .catch((err: unknown) => {
        if (this.signal?.aborted) throw abortError(this.signal);
        throw asSourceError(err, this.settings, this.client, 'command');
      });
  }

  /** LOGOUT politely (bounded by the command timeout); close hard if that fails. Never throws. */
  async close(): Promise<void> {
    this.detach();
    if (!this.client.usable) {
      this.client.close();
      return;
    }
    await watchdog(this.client, this.timeouts.commandMs, () => new Error('logout timed out'), () => this.client.logout())
      .catch(() => this.client.close());
  }
}

/**
 * A connected, logged-in imapflow client (no folder selected). `detach` removes the abort listener;
 * call it when the client is closed.
 */
export async function connectClient(settings: ResolvedSettings, options: ImapSourceOptions, open: OpenOptions = {}):
  Promise<{ client: ImapFlow; detach: () => void }> {
  const timeouts = timeoutsOf(options);
  if (open.signal?.aborted) throw abortError(open.signal);
  const client = new ImapFlow(flowOptions(settings, options, { ...(open.logger ? { logger: open.logger } : {}), idle: !!open.idle }));
  // imapflow emits 'error' for failures outside a command; unhandled, that would crash the process.
  client.on('error', (err: Error) => open.logger?.warn({ err: err.message }, 'IMAP connection error'));
  const onAbort = () => client.close();
  open.signal?.addEventListener('abort', onAbort, { once: true });
  const detach = () => open.signal?.removeEventListener('abort', onAbort);
  const budget = timeouts.connectMs + timeouts.commandMs;
  try {
    await watchdog(client, budget, () => new ImapTimeoutError('connecting and logging in', budget, settings), () => client.connect());
    return { client, detach };
  } catch (err) {
    detach();
    client.close();
    if (open.signal?.aborted) throw abortError(open.signal);
    throw asSourceError(err, settings, client, stepOf(err), options.tlsOptions?.servername);
  }
}

function stepOf(err: unknown): 'tcp' | 'tls' | 'greeting' | 'auth' | 'command' {
  const e = err as { code?: string; authenticationFailed?: boolean; tlsFailed?: boolean; message?: string };
  if (e?.authenticationFailed) return 'auth';
  if (e?.tlsFailed || /^(ERR_TLS_|ERR_SSL_)|CERT|SELF_SIGNED/.test(e?.code ?? '')) return 'tls';
  if (e?.code === 'GREETING_TIMEOUT') return 'greeting';
  if (/^E[A-Z]+$/.test(e?.code ?? '') || e?.code === 'CONNECT_TIMEOUT') return 'tcp';
  return 'command';
}

function asSourceError(err: unknown, settings: ResolvedSettings, client: ImapFlow, step: ImapSourceError['step'],
  servername?: string): ImapSourceError {
  if (err instanceof ImapSourceError) return err;
  const code = (err as { code?: string })?.code;
  const message = describeImapError(err, settings, { capabilities: client.capabilities.keys(), ...(servername ? { servername } : {}) });
  return new ImapSourceError(step, message, { cause: err, ...(code ? { code } : {}) });
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('the poll was aborted', 'AbortError');
}
