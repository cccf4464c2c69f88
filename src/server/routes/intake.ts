// Push intake: POST a raw RFC 5322 message with the profile's intake token. 202 only once the bytes
// are committed; 413 over the profile's size limit; 400 for what is not mail; 503 (Retry-After) when
// it cannot be stored now: the sender keeps it and retries, and a retry is stored once.
import { z } from '@hono/zod-openapi';
import { Readable } from 'node:stream';
import { bearerOf } from '../auth.js';
import type { Api } from '../http-app.js';
import { errorResponse, json, route } from '../route.js';

const push = route('intake', {
  method: 'post', path: '/api/v1/intake/{profileId}', tags: ['intake'], summary: 'Push one raw message into a profile',
  request: {
    params: z.object({ profileId: z.coerce.number().int().positive().openapi({ param: { name: 'profileId', in: 'path' }, example: 1 }) }),
    body: { required: true, content: { 'message/rfc822': { schema: z.string().openapi({ format: 'binary' }) } } },
  },
  responses: {
    202: json(z.object({ itemId: z.number().int(), duplicate: z.boolean() }), 'stored; it is processed shortly'),
    400: errorResponse('the body is not a mail message'),
    401: errorResponse('unknown profile or wrong intake token'),
    413: errorResponse("over the profile's size limit"),
    503: errorResponse('cannot store now; retry after Retry-After seconds'),
  },
});

export function registerIntake(api: Api): void {
  api.openapi(push, async (c) => {
    const { authorizeIntake, pushMessage } = await import('../../app/push-intake.js');
    const app = c.get('app');
    const profile = await authorizeIntake(app, c.req.valid('param').profileId, bearerOf(c));
    if (!profile) return c.json({ error: 'unknown profile or wrong intake token' }, 401);
    const body = c.req.raw.body;
    const length = c.req.header('content-length');
    const stream = body ? Readable.fromWeb(body as import('node:stream/web').ReadableStream) : Readable.from([]);
    const pushed = await pushMessage(app, profile, stream, length && /^\d+$/.test(length) ? Number(length) : undefined);
    return c.json(pushed, 202);
  });
}
