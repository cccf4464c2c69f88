// The outbox, read only: the mail mailbind sends, its state and every attempt with the server's reply.
import { z } from '@hono/zod-openapi';
import type { Api } from '../http-app.js';
import { IdParam, errorResponse, json, route } from '../route.js';

const tags = ['outbox'];
const STATES = ['pending', 'sending', 'sent', 'failed', 'skipped', 'bounced'] as const;

const OutboxMail = z
  .object({
    id: z.number().int(),
    profileId: z.number().int(),
    messageId: z.number().int().nullable().openapi({ description: 'the stored message that asked for it' }),
    itemId: z.number().int().nullable(),
    kind: z.enum(['acknowledgement', 'reply']),
    template: z.string(),
    to: z.string(),
    subject: z.string(),
    state: z.enum(STATES),
    reason: z.string().nullable().openapi({ description: 'why it was skipped or given up on' }),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastError: z.string().nullable(),
    smtpResponse: z.string().nullable().openapi({ description: "the server's reply that accepted it" }),
    mailMessageId: z.string(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .openapi('OutboxMail');

const OutboxDetail = OutboxMail.extend({
  bodyText: z.string(),
  bodyHtml: z.string().nullable(),
  replyTo: z.string().nullable(),
  history: z.array(z.object({ at: z.string(), ok: z.boolean(), code: z.number().int().nullable(), response: z.string() })),
}).openapi('OutboxMailDetail');

const list = route('viewer', {
  method: 'get', path: '/api/v1/outbox', tags, summary: 'The mail mailbind sends, newest first',
  request: {
    query: z.object({
      profileId: z.coerce.number().int().positive().optional(),
      itemId: z.coerce.number().int().positive().optional(),
      state: z.enum(STATES).optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
    }),
  },
  responses: { 200: json(z.object({ mails: z.array(OutboxMail) }), 'the mails'), 400: errorResponse('a filter is invalid'), 404: errorResponse('no such profile') },
});
const detail = route('viewer', {
  method: 'get', path: '/api/v1/outbox/{id}', tags, summary: 'One mail with its text and every attempt',
  request: { params: IdParam },
  responses: { 200: json(OutboxDetail, 'the mail'), 404: errorResponse('no such mail') },
});

export function registerOutbox(api: Api): void {
  api.openapi(list, async (c) => {
    const { listOutboxViews } = await import('../../app/outbox.js');
    const q = c.req.valid('query');
    const mails = await listOutboxViews(c.get('app'), {
      ...(q.profileId !== undefined ? { profile: q.profileId } : {}),
      ...(q.itemId !== undefined ? { itemId: q.itemId } : {}),
      ...(q.state !== undefined ? { state: q.state } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    });
    return c.json({ mails }, 200);
  });
  api.openapi(detail, async (c) => {
    const { showOutboxMail } = await import('../../app/outbox.js');
    return c.json(await showOutboxMail(c.get('app'), c.req.valid('param').id), 200);
  });
}
