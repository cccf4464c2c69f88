// Counts over time for the dashboard: messages per hour by outcome.
import { z } from '@hono/zod-openapi';
import type { Api } from '../http-app.js';
import { json, route } from '../route.js';

const HourlyStats = z
  .object({
    hours: z.array(
      z.object({
        at: z.string().openapi({ description: 'the start of the hour, UTC', example: '2026-11-24T10:00:00.000Z' }),
        counts: z.record(z.string(), z.number().int()).openapi({ description: 'messages received in the hour, by outcome (pending: not yet processed)', example: { imported: 3, skipped: 1 } }),
      }),
    ),
  })
  .openapi('HourlyStats');

const hourly = route('viewer', {
  method: 'get', path: '/api/v1/stats/hourly', tags: ['stats'], summary: 'Messages per hour by outcome, oldest hour first',
  request: { query: z.object({ hours: z.coerce.number().int().min(1).max(168).optional().openapi({ param: { name: 'hours', in: 'query' }, description: 'how many hours back, this one included (default 24)' }) }) },
  responses: { 200: json(HourlyStats, 'one entry per hour, empty hours included') },
});

export function registerStats(api: Api): void {
  api.openapi(hourly, async (c) => {
    const { hourlyStats } = await import('../../app/stats.js');
    return c.json(await hourlyStats(c.get('app'), c.req.valid('query').hours ?? 24), 200);
  });
}
