// The message log: search, detail with the trace, the raw bytes, retry one, reprocess a profile's
// skipped messages with the current rules.
import { z } from '@hono/zod-openapi';
import { Readable } from 'node:stream';
import type { Api } from '../http-app.js';
import { IdParam, errorResponse, json, jsonBody, route } from '../route.js';
import { MessageDetail, MessagePage, MessageQuery, ProcessedMessage } from '../schemas/messages.js';

const tags = ['messages'];

const search = route('viewer', {
  method: 'get', path: '/api/v1/messages', tags, summary: 'Search the message log (newest first, cursor-paged)',
  request: { query: MessageQuery },
  responses: { 200: json(MessagePage, 'a page of messages'), 400: errorResponse('a filter is invalid'), 404: errorResponse('no such profile') },
});
const detail = route('viewer', {
  method: 'get', path: '/api/v1/messages/{id}', tags, summary: 'A message with its trace',
  request: { params: IdParam },
  responses: { 200: json(MessageDetail, 'the message'), 404: errorResponse('no such message') },
});
const raw = route('viewer', {
  method: 'get', path: '/api/v1/messages/{id}/raw', tags, summary: 'The message as it arrived (message/rfc822)',
  request: { params: IdParam },
  responses: { 200: { description: 'the raw bytes', content: { 'message/rfc822': { schema: z.string().openapi({ format: 'binary' }) } } }, 404: errorResponse('no such message') },
});
const retry = route('admin', {
  method: 'post', path: '/api/v1/messages/{id}/retry', tags, summary: 'Process a failed, skipped or ignored message again, now',
  description: 'Refused (409) for a message that created items (imported, commented): retrying would create them twice.',
  request: { params: IdParam },
  responses: { 200: json(ProcessedMessage, 'the new outcome'), 404: errorResponse('no such message'), 409: errorResponse('already imported, a duplicate, or being processed right now') },
});
const reprocess = route('admin', {
  method: 'post', path: '/api/v1/messages/reprocess', tags, summary: "Run a profile's skipped messages through its current rules",
  description: 'Only messages no rule matched are taken again; imported and commented messages keep what they created, so nothing is made twice.',
  request: { body: jsonBody(z.object({ profileId: z.number().int().positive(), limit: z.number().int().positive().optional() })) },
  responses: {
    200: json(z.object({ messages: z.array(ProcessedMessage), takenByWorker: z.number().int() }), 'what was processed'),
    404: errorResponse('no such profile'),
  },
});

export function registerMessages(api: Api): void {
  api.openapi(search, async (c) => {
    const { searchMessages } = await import('../../app/message-search.js');
    const q = c.req.valid('query');
    return c.json(
      await searchMessages(c.get('app'), {
        ...(q.profileId !== undefined ? { profile: q.profileId } : {}),
        ...(q.outcome ? { outcome: q.outcome } : {}),
        ...(q.since ? { since: q.since } : {}),
        ...(q.until ? { until: q.until } : {}),
        ...(q.q ? { q: q.q } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      }),
      200,
    );
  });
  api.openapi(detail, async (c) => {
    const { showMessage } = await import('../../app/messages.js');
    return c.json(await showMessage(c.get('app'), c.req.valid('param').id), 200);
  });
  api.openapi(raw, async (c) => {
    const { openRawMessage } = await import('../../app/raw-message.js');
    const message = await openRawMessage(c.get('app'), c.req.valid('param').id);
    return c.body(Readable.toWeb(message.stream) as ReadableStream, 200, {
      'content-type': 'message/rfc822',
      'content-length': String(message.size),
      'content-disposition': `attachment; filename="${message.fileName}"`,
      'x-content-type-options': 'nosniff',
    });
  });
  api.openapi(retry, async (c) => {
    const { retryMessage } = await import('../../app/messages.js');
    return c.json(await retryMessage(c.get('app'), c.req.valid('param').id), 200);
  });
  api.openapi(reprocess, async (c) => {
    const { reprocessSkipped } = await import('../../app/messages.js');
    const body = c.req.valid('json');
    return c.json(await reprocessSkipped(c.get('app'), { profile: body.profileId, ...(body.limit ? { limit: body.limit } : {}) }), 200);
  });
}
