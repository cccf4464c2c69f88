// A profile's reply templates: list, show, set (create or replace), remove. Each handler calls the use
// case the CLI calls (app/templates.ts), with the principal.
import { z } from '@hono/zod-openapi';
import type { Api } from '../http-app.js';
import { IdParam, errorResponse, json, jsonBody, route } from '../route.js';
import { TemplateInput, TemplateView } from '../schemas/profiles.js';
import { principalOf } from '../principal.js';

const tags = ['profiles'];
const NameParam = IdParam.extend({ name: z.string().min(1).max(100).openapi({ param: { name: 'name', in: 'path' }, example: 'acknowledgement' }) });

const list = route('viewer', {
  method: 'get', path: '/api/v1/profiles/{id}/templates', tags, summary: "A profile's reply templates",
  description: 'The built-in `acknowledgement` is listed (builtIn: true) until the profile saves its own under that name.',
  request: { params: IdParam },
  responses: { 200: json(z.object({ templates: z.array(TemplateView) }), 'the templates'), 404: errorResponse('no such profile') },
});
const get = route('viewer', {
  method: 'get', path: '/api/v1/profiles/{id}/templates/{name}', tags, summary: 'A reply template',
  request: { params: NameParam },
  responses: { 200: json(z.object({ template: TemplateView }), 'the template'), 404: errorResponse('no such profile or template') },
});
const put = route('admin', {
  method: 'put', path: '/api/v1/profiles/{id}/templates/{name}', tags, summary: 'Create or replace a reply template',
  description: 'Refused (400) when a placeholder is unknown; each error names the field, line and column.',
  request: { params: NameParam, body: jsonBody(TemplateInput) },
  responses: {
    200: json(z.object({ template: TemplateView, created: z.boolean() }), 'saved'),
    400: errorResponse('an unknown placeholder, an empty subject or text'),
    404: errorResponse('no such profile'),
  },
});
const remove = route('admin', {
  method: 'delete', path: '/api/v1/profiles/{id}/templates/{name}', tags, summary: 'Remove a reply template',
  request: { params: NameParam },
  responses: { 204: { description: 'removed' }, 404: errorResponse('no such profile or template') },
});

export function registerTemplates(api: Api): void {
  api.openapi(list, async (c) => {
    const { listTemplates } = await import('../../app/templates.js');
    return c.json({ templates: await listTemplates(c.get('app'), c.req.valid('param').id) }, 200);
  });
  api.openapi(get, async (c) => {
    const { showTemplate } = await import('../../app/templates.js');
    const { id, name } = c.req.valid('param');
    return c.json({ template: await showTemplate(c.get('app'), id, name) }, 200);
  });
  api.openapi(put, async (c) => {
    const { setTemplate } = await import('../../app/templates.js');
    const { id, name } = c.req.valid('param');
    return c.json(await setTemplate(c.get('app'), id, name, c.req.valid('json'), principalOf(c)), 200);
  });
  api.openapi(remove, async (c) => {
    const { removeTemplate } = await import('../../app/templates.js');
    const { id, name } = c.req.valid('param');
    await removeTemplate(c.get('app'), id, name, principalOf(c));
    return c.body(null, 204);
  });
}
