// What the socket answers while the database opens and migrates: the process is alive (/healthz),
// not ready (/readyz 503), and every other request is asked to come back shortly (503, Retry-After).
import { Hono } from 'hono';
import type { Lifecycle } from './http-app.js';
import { securityHeaders } from './security.js';

export function startingApp(lifecycle: Lifecycle): Hono {
  const app = new Hono();
  app.use('*', securityHeaders());
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', (c) =>
    c.json({ ok: false, state: lifecycle.state, checks: [{ name: 'database', ok: false, message: 'opening and migrating the database' }] }, 503),
  );
  app.all('*', (c) => {
    c.header('Retry-After', '5');
    return c.json({ error: 'mailbind is starting (opening and migrating its database); try again in a moment' }, 503);
  });
  return app;
}
