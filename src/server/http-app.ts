// The HTTP face: the Hono app with its middlewares and every route module. Built per App, so tests
// call `createHttpApp(app).request(…)` without a socket; listen.ts serves it.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import { bodyLimit } from 'hono/body-limit';
import type { App } from '../app/app.js';
import type { LoginLimiter } from '../app/login-limiter.js';
import { metricsFor } from '../app/metrics.js';
import { identify } from './auth.js';
import type { HttpEnv } from './env.js';
import { fieldErrorsOf, onError, validationFailed } from './errors.js';
import { requestLog } from './request-log.js';
import { ROUTE_MODULES } from './routes/index.js';
import { securityHeaders } from './security.js';
import { webUi } from './web-ui.js';

/** Where the service is in its life: /readyz answers 503 unless `ready`. */
export interface Lifecycle {
  state: 'starting' | 'ready' | 'stopping';
}

export interface ServerDeps {
  app: App;
  logger: Logger;
  limiter: LoginLimiter;
  lifecycle: Lifecycle;
}

export type Api = OpenAPIHono<HttpEnv>;

/** JSON request bodies above this are refused (raw intake has its own, per profile). */
export const JSON_BODY_LIMIT = 1024 * 1024;

export function createHttpApp(deps: ServerDeps): Api {
  // Counting starts with the server, not at the first scrape: /metrics reports what it saw since.
  metricsFor(deps.app);
  const api: Api = new OpenAPIHono<HttpEnv>({
    // A request that does not validate answers 400 with one {field, message} per problem.
    defaultHook: (result, c) => {
      if (!result.success) return validationFailed(c, fieldErrorsOf(result.error.issues));
      return undefined;
    },
  });
  api.use('*', async (c, next) => {
    c.set('app', deps.app);
    c.set('logger', deps.logger);
    await next();
  });
  api.use('*', requestLog());
  api.use('*', securityHeaders());
  api.use('/api/v1/*', async (c, next) => {
    if (c.req.path.startsWith('/api/v1/intake/')) return next();
    return bodyLimit({
      maxSize: JSON_BODY_LIMIT,
      onError: (c) => c.json({ error: `the request body is over ${JSON_BODY_LIMIT / 1024} KiB` }, 413),
    })(c, next);
  });
  api.use('*', identify());
  for (const register of ROUTE_MODULES) register(api, deps);
  // Not an API route: the web UI's files, or its page for any other path.
  const ui = webUi();
  api.notFound(async (c) => (await ui(c)) ?? c.json({ error: `no such route: ${c.req.method} ${c.req.path}` }, 404));
  api.onError(onError);
  return api;
}
