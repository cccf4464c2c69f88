// `mailbind serve`: the HTTP API and the service (intake and processing) in one process. The socket
// opens first, answering /healthz and a 503 /readyz while the database opens and migrates; then the
// API takes over. On the stop signal: /readyz turns 503, the socket stops accepting, requests in
// flight finish, the service finishes the message in hand and closes its IDLE connections.
import type { Logger } from 'pino';
import { ensureFirstAdmin } from '../app/accounts.js';
import { openApp, type App, type AppOptions } from '../app/app.js';
import { LoginLimiter } from '../app/login-limiter.js';
import { runService } from '../app/service.js';
import { createHttpApp, type Lifecycle } from './http-app.js';
import { listen, type Listening } from './listen.js';
import { startingApp } from './starting.js';

export interface ServeOptions {
  host: string;
  port: number;
  signal: AbortSignal;
  /** Processing lanes (app/concurrency.ts); default 1. */
  concurrency?: number;
  /** Where the lane count came from, for the refusal's message. */
  concurrencySetting?: string;
  /** Called once the API listens and the service runs, with the URL it listens on and the app. */
  onListening?: (url: string, app: App) => void;
}

export async function serveDataDir(appOptions: AppOptions, logger: Logger, options: ServeOptions): Promise<void> {
  const lifecycle: Lifecycle = { state: 'starting' };
  let handle: (request: Request) => Response | Promise<Response> = startingApp(lifecycle).fetch;
  const http = await listen({ fetch: (request) => handle(request) }, { host: options.host, port: options.port });
  // Stop accepting at the signal, not after the service has wound down.
  let closing: Promise<void> | null = null;
  const close = () => {
    lifecycle.state = 'stopping';
    return (closing ??= http.close(3000));
  };
  options.signal.addEventListener('abort', () => void close(), { once: true });
  try {
    const app = await openApp(appOptions);
    try {
      await announceFirstAdmin(app, logger);
      handle = createHttpApp({ app, logger, limiter: new LoginLimiter(), lifecycle }).fetch;
      if (!options.signal.aborted) await serveApp(app, logger, options, lifecycle, http);
    } finally {
      await close();
      await app.close();
    }
  } finally {
    await close();
  }
}

async function serveApp(app: App, logger: Logger, options: ServeOptions, lifecycle: Lifecycle, http: Listening): Promise<void> {
  await runService(app, logger, {
    kind: 'serve',
    signal: options.signal,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.concurrencySetting !== undefined ? { concurrencySetting: options.concurrencySetting } : {}),
    onReady: () => {
      lifecycle.state = 'ready';
      options.onListening?.(http.url, app);
    },
  });
}

/** The first start creates the admin; a generated password is printed once, here (only its hash is kept). */
async function announceFirstAdmin(app: App, logger: Logger): Promise<void> {
  const first = await ensureFirstAdmin(app);
  if (!first.created) return;
  if (first.generatedPassword) {
    logger.info(`created the first account: name '${first.name}', password '${first.generatedPassword}' (shown only now; change it with: mailbind account passwd ${first.name})`);
  } else {
    logger.info(`created the first account '${first.name}' with the password in MAILBIND_ADMIN_PASSWORD`);
  }
}
