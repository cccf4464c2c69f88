// The only anonymous routes: /healthz (the process answers) and /readyz (the database answers and the
// service is neither starting nor stopping), for load balancers and orchestrators.
import { z } from '@hono/zod-openapi';
import type { Api, ServerDeps } from '../http-app.js';
import { json, route } from '../route.js';

const Ready = z
  .object({ ok: z.boolean(), state: z.string(), checks: z.array(z.object({ name: z.string(), ok: z.boolean(), message: z.string().optional() })) })
  .openapi('Readiness');

const healthz = route('public', {
  method: 'get', path: '/healthz', tags: ['health'], summary: 'The process is alive',
  responses: { 200: json(z.object({ ok: z.literal(true) }), 'alive') },
});
const readyz = route('public', {
  method: 'get', path: '/readyz', tags: ['health'], summary: 'Ready for traffic',
  responses: { 200: json(Ready, 'ready'), 503: json(Ready, 'not ready: starting, stopping, or the database does not answer') },
});

export function registerHealth(api: Api, deps: ServerDeps): void {
  api.openapi(healthz, (c) => c.json({ ok: true as const }, 200));
  api.openapi(readyz, async (c) => {
    const { checkReady } = await import('../../app/health.js');
    const state = deps.lifecycle.state;
    const database = await checkReady(c.get('app'));
    const checks = [{ name: 'service', ok: state === 'ready', ...(state === 'ready' ? {} : { message: state }) }, ...database.checks];
    const ok = state === 'ready' && database.ok;
    return ok ? c.json({ ok, state, checks }, 200) : c.json({ ok, state, checks }, 503);
  });
}
