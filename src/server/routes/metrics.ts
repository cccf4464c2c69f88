// /metrics in the Prometheus text format, for an admin or the scraper's own MAILBIND_METRICS_TOKEN.
import { z } from '@hono/zod-openapi';
import type { Api } from '../http-app.js';
import { route } from '../route.js';

const metrics = route('metrics', {
  method: 'get', path: '/metrics', tags: ['health'], summary: 'Prometheus metrics',
  responses: { 200: { description: 'the metrics', content: { 'text/plain': { schema: z.string() } } } },
});

export function registerMetrics(api: Api): void {
  api.openapi(metrics, async (c) => {
    const { metricsFor } = await import('../../app/metrics.js');
    const registry = metricsFor(c.get('app'));
    c.header('content-type', registry.contentType);
    return c.text(await registry.render(), 200);
  });
}
