// `mailbind serve`: the HTTP API and the service (intake and processing) in one process. On the stop
// signal: /readyz turns 503, the socket stops accepting, requests in flight finish, the service
// finishes the message in hand and closes its IDLE connections.
import type { Logger } from 'pino';
import type { App } from '../app/app.js';
import { ensureFirstAdmin } from '../app/accounts.js';
import { LoginLimiter } from '../app/login-limiter.js';
import { runService } from '../app/service.js';
import { createHttpApp, type Lifecycle } from './http-app.js';
import { listen } from './listen.js';

export interface ServeOptions {
  host: string;
  port: number;
  signal: AbortSignal;
  /** Called once the API listens and the service runs, with the URL it listens on. */
  onListening?: (url: string) => void;
}

export async function runServer(app: App, logger: Logger, options: ServeOptions): Promise<void> {
  const lifecycle: Lifecycle = { state: 'starting' };
  const first = await ensureFirstAdmin(app);
  if (first.created) {
    if (first.generatedPassword) {
      // Printed once, here; only its hash is stored. MAILBIND_ADMIN_PASSWORD avoids this.
      logger.info(`created the first account: name '${first.name}', password '${first.generatedPassword}' (shown only now; change it with: mailbind account passwd ${first.name})`);
    } else {
      logger.info(`created the first account '${first.name}' with the password in MAILBIND_ADMIN_PASSWORD`);
    }
  }
  const api = createHttpApp({ app, logger, limiter: new LoginLimiter(), lifecycle });
  const http = await listen(api, { host: options.host, port: options.port });
  // Stop accepting at the signal, not after the service has wound down.
  let closing: Promise<void> | null = null;
  const close = () => {
    lifecycle.state = 'stopping';
    return (closing ??= http.close(3000));
  };
  options.signal.addEventListener('abort', () => void close(), { once: true });
  try {
    await runService(app, logger, {
      kind: 'serve',
      signal: options.signal,
      onReady: () => {
        lifecycle.state = 'ready';
        options.onListening?.(http.url);
      },
    });
  } finally {
    await close();
  }
}
