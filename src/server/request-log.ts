// One log line per HTTP request: method, path (never the query string: it may carry a search over
// people's mail), status and milliseconds. Credentials live in headers, which are never logged.
import type { MiddlewareHandler } from 'hono';
import type { HttpEnv } from './env.js';

export function requestLog(): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      const principal = c.get('principal');
      c.get('logger').info(
        { method: c.req.method, path: c.req.path, status: c.res.status, ms, ...(principal ? { by: principal.kind === 'account' ? principal.name : `${principal.kind}:${principal.name}` } : {}) },
        'request',
      );
    }
  };
}
