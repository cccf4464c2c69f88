// A message as a person reads it: its text and attachments as JSON, and its HTML sanitised on the
// server and served as a page of its own, with its own strict policy: no script, no form, no
// plugin, nothing fetched but inline images (and remote ones only with ?images=1), sandboxed (popups
// alone allowed, and let out of the sandbox: a link in the mail opens as an ordinary new tab), and
// frameable by our own pages only (security.ts lets this one route set those headers).
import { z } from '@hono/zod-openapi';
import type { Api } from '../http-app.js';
import { IdParam, errorResponse, json, route } from '../route.js';

const tags = ['messages'];

const MessageBody = z
  .object({
    subject: z.string(),
    from: z.string().nullable(),
    to: z.array(z.string()),
    cc: z.array(z.string()),
    date: z.string(),
    text: z.string(),
    hasHtml: z.boolean(),
    remoteImages: z.number().int().openapi({ description: 'images the HTML would load from the network' }),
    attachments: z.array(
      z.object({
        id: z.number().int().nullable().openapi({ description: 'the tracker attachment to download (GET /api/v1/tracker/attachments/{id}/content), when the message created one' }),
        fileName: z.string(),
        contentType: z.string(),
        size: z.number().int(),
        inline: z.boolean(),
      }),
    ),
  })
  .openapi('MessageBody');

const body = route('viewer', {
  method: 'get', path: '/api/v1/messages/{id}/body', tags, summary: 'A message as it reads: headers, text, attachments',
  request: { params: IdParam },
  responses: { 200: json(MessageBody, 'the message'), 400: errorResponse('the stored bytes cannot be parsed'), 404: errorResponse('no such message') },
});

const bodyHtml = route('viewer', {
  method: 'get', path: '/api/v1/messages/{id}/body.html', tags, summary: "A message's HTML, sanitised, for a sandboxed frame",
  description:
    'Sanitised with an allow-list (no script, style sheet, form, frame, event handler, javascript:/data: link or CSS url()). Remote images lose their address unless images=1. Served with its own Content-Security-Policy (sandbox allowing only popups, so that links open in a new tab; no script, no relative links, images from data: only, or also http(s) with images=1) and frameable by this origin only.',
  request: {
    params: IdParam,
    query: z.object({ images: z.enum(['0', '1']).optional().openapi({ param: { name: 'images', in: 'query' }, description: '1: load remote images' }) }),
  },
  responses: {
    200: { description: 'the sanitised HTML', content: { 'text/html': { schema: z.string() } } },
    400: errorResponse('the message has no HTML, or cannot be parsed'),
    404: errorResponse('no such message'),
  },
});

/** The policy of a message's HTML page; `images` allows remote images. */
export function messageHtmlPolicy(images: boolean): string {
  return `default-src 'none'; img-src data:${images ? ' https: http:' : ''}; style-src 'unsafe-inline'; sandbox allow-popups allow-popups-to-escape-sandbox; frame-ancestors 'self'; base-uri 'none'; form-action 'none'`;
}

export function registerMessageBody(api: Api): void {
  api.openapi(body, async (c) => {
    const { messageBody } = await import('../../app/message-body.js');
    return c.json(await messageBody(c.get('app'), c.req.valid('param').id), 200);
  });
  api.openapi(bodyHtml, async (c) => {
    const { messageBodyHtml } = await import('../../app/message-body.js');
    const images = c.req.valid('query').images === '1';
    const html = await messageBodyHtml(c.get('app'), c.req.valid('param').id, { images });
    const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Message content</title><meta name="referrer" content="no-referrer"><style>body{font-family:system-ui,sans-serif;margin:0.5rem;color:#1b1f24;background:#fff;overflow-wrap:anywhere}img{max-width:100%}img[data-blocked]{display:inline-block;border:1px dashed #8893a0;padding:0.2rem;color:#4a5360}</style></head><body>${html}</body></html>`;
    return c.body(page, 200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': messageHtmlPolicy(images),
      'x-frame-options': 'SAMEORIGIN',
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    });
  });
}
