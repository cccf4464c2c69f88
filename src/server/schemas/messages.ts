// The message log as the API speaks it.
import { z } from '@hono/zod-openapi';

const Created = z.record(z.string(), z.array(z.number().int()));

export const MessageSummary = z
  .object({
    id: z.number().int(),
    profileId: z.number().int(),
    messageId: z.string().nullable(),
    subject: z.string().nullable(),
    from: z.string().nullable(),
    outcome: z.enum(['imported', 'commented', 'skipped', 'ignored', 'failed']).nullable(),
    state: z.enum(['pending', 'processing', 'done', 'failed']),
    rule: z.number().int().nullable(),
    actions: z.array(z.string()),
    created: Created,
    reason: z.string().nullable(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    receivedAt: z.string(),
    processedAt: z.string().nullable(),
  })
  .passthrough()
  .openapi('MessageSummary');

export const MessageDetail = MessageSummary.extend({
  originKey: z.string(),
  rawRef: z.string(),
  rawSize: z.number().int(),
  trace: z.unknown().openapi({ description: 'how the outcome was decided: the rules version, each rule checked, the plan' }),
}).openapi('MessageDetail');

export const MessagePage = z
  .object({ messages: z.array(MessageSummary), next: z.string().nullable().openapi({ description: 'pass as `cursor` for the next page' }) })
  .openapi('MessagePage');

export const ProcessedMessage = z
  .object({
    itemId: z.number().int(),
    messageId: z.string().nullable(),
    subject: z.string().nullable(),
    outcome: z.string(),
    rule: z.number().int().nullable(),
    actions: z.array(z.string()),
    created: z.array(z.number().int()),
    createdDetail: Created,
    reason: z.string().nullable(),
    duplicate: z.boolean(),
  })
  .passthrough()
  .openapi('ProcessedMessage');

export const MessageQuery = z.object({
  profileId: z.coerce.number().int().positive().optional().openapi({ param: { name: 'profileId', in: 'query' } }),
  outcome: z.enum(['imported', 'commented', 'skipped', 'ignored', 'failed', 'pending']).optional().openapi({ param: { name: 'outcome', in: 'query' } }),
  since: z.string().optional().openapi({ param: { name: 'since', in: 'query' }, description: 'received at or after (date or date-time)' }),
  until: z.string().optional().openapi({ param: { name: 'until', in: 'query' }, description: 'received before' }),
  q: z.string().max(200).optional().openapi({ param: { name: 'q', in: 'query' }, description: 'free text over subject and sender' }),
  cursor: z.string().optional().openapi({ param: { name: 'cursor', in: 'query' } }),
  limit: z.coerce.number().int().min(1).max(500).optional().openapi({ param: { name: 'limit', in: 'query' } }),
});
