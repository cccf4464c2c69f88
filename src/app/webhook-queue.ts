// Delivery of JSON bodies to one webhook, in the background: push() returns at once, a single drain
// sends them in order (a "recovered" never overtakes its "failing"), each retried with exponential
// backoff a bounded number of times. A webhook that keeps failing costs one warning per body, never a
// blocked caller. The URL may hold credentials (user:password@, a token in the path or the query):
// logs name only its origin.
import type { Logger } from 'pino';

export interface WebhookQueueOptions {
  url: string;
  logger: Logger;
  fetch?: typeof fetch;
  /** Attempts per body; default 5. */
  tries?: number;
  /** The first retry's delay, doubled for each next one; default 1 000 ms. */
  retryMs?: number;
  /** How long one attempt may take; default 10 000 ms. */
  timeoutMs?: number;
  /** Bodies waiting beyond this many: the oldest is dropped (with a warning); default 100. */
  maxWaiting?: number;
}

export class WebhookQueue {
  private readonly waiting: Array<{ body: unknown; what: string }> = [];
  private draining: Promise<void> | null = null;
  private readonly stopping = new AbortController();
  /** What logs may say of the webhook: scheme, host and port. */
  readonly origin: string;
  /** The URL without user:password@, which fetch refuses; they go as Basic authorization instead. */
  private readonly target: string;
  private readonly authorization: Record<string, string>;

  constructor(private readonly options: WebhookQueueOptions) {
    const url = new URL(options.url);
    this.origin = url.origin;
    const credentials = url.username || url.password ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : null;
    url.username = '';
    url.password = '';
    this.target = url.href;
    this.authorization = credentials ? { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } : {};
  }

  /** Queue a body; `what` names it in logs (e.g. the alert's event). */
  push(body: unknown, what: string): void {
    if (this.stopping.signal.aborted) return;
    this.waiting.push({ body, what });
    const max = this.options.maxWaiting ?? 100;
    if (this.waiting.length > max) {
      // The first is in flight (the drain runs whenever anything waits): drop the oldest after it.
      const dropped = this.waiting.splice(1, 1)[0]!;
      this.options.logger.warn({ webhook: this.origin, what: dropped.what }, 'webhook queue full; dropped the oldest');
    }
    this.draining ??= this.drain().finally(() => (this.draining = null));
  }

  /** True while bodies wait or one is being sent. */
  get busy(): boolean {
    return this.draining !== null;
  }

  /** Let what is queued go out for up to graceMs, then give up on the rest (said in a warning). */
  async close(graceMs = 2000): Promise<void> {
    if (this.draining) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.draining, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    this.stopping.abort();
    await this.draining;
    if (this.waiting.length) {
      this.options.logger.warn({ webhook: this.origin, dropped: this.waiting.map((w) => w.what) }, 'stopping: alerts not delivered');
      this.waiting.length = 0;
    }
  }

  private async drain(): Promise<void> {
    while (this.waiting.length && !this.stopping.signal.aborted) {
      const next = this.waiting[0]!;
      await this.deliver(next.body, next.what);
      // Shifted after the attempt: close() names what it drops, the body in flight included.
      if (this.waiting[0] === next) this.waiting.shift();
    }
  }

  private async deliver(body: unknown, what: string): Promise<void> {
    const tries = this.options.tries ?? 5;
    const send = this.options.fetch ?? fetch;
    let why = '';
    for (let attempt = 1; attempt <= tries; attempt++) {
      try {
        const response = await send(this.target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'mailbind', ...this.authorization },
          body: JSON.stringify(body),
          signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.options.timeoutMs ?? 10_000)]),
        });
        await response.body?.cancel().catch(() => undefined);
        if (response.ok) return;
        why = `the webhook answered ${response.status}`;
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        why = this.describe(error);
      }
      if (attempt < tries) {
        const delay = (this.options.retryMs ?? 1000) * 2 ** (attempt - 1);
        this.options.logger.debug({ webhook: this.origin, what, err: why, attempt, retryInMs: delay }, 'webhook failed; retrying');
        if (!(await this.wait(delay))) return;
      }
    }
    this.options.logger.warn({ webhook: this.origin, what, err: why, tries }, 'alert not delivered: the webhook kept failing');
  }

  /** A network error in words, with the URL (should a library put it in) cut back to its origin. */
  private describe(error: unknown): string {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const text = cause?.message ?? (error as Error).message ?? String(error);
    return [this.options.url, new URL(this.options.url).href, this.target].reduce((t, url) => t.split(url).join(this.origin), text);
  }

  /** False when stopped meanwhile. */
  private wait(ms: number): Promise<boolean> {
    const signal = this.stopping.signal;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(true), ms);
      const onAbort = () => done(false);
      signal.addEventListener('abort', onAbort, { once: true });
      function done(result: boolean) {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      }
    });
  }
}
