// The builtin tracker over HTTP. Every kind can be listed and read; the kinds admins keep (companies
// with their email domains, projects, teams, users, requesters) can be created, changed and deleted
// (a project is only ever marked deleted); items (requests, stories, bugs, tasks) change state; an
// attachment downloads as an attachment with a safe name. Each kind is one entry below.
import { z } from '@hono/zod-openapi';
import { Readable } from 'node:stream';
import type { Principal } from '../../app/principal.js';
import type { App } from '../../app/app.js';
import { ITEM_LISTS, ITEM_STATES, LISTABLE, type Listable } from '../../app/tracker-kinds.js';
import type { Api } from '../http-app.js';
import { principalOf } from '../principal.js';
import { IdParam, errorResponse, json, jsonBody, route } from '../route.js';
import { rowSchema, type TrackerObject } from '../schemas/tracker.js';

const tags = ['tracker'];
const tracker = () => import('../../app/tracker.js');

/** The kinds admins keep, each with its create and change bodies and its use cases. */
interface Kept {
  kind: Listable;
  create: z.ZodObject;
  change: z.ZodObject;
  // The bodies arrive validated by `create`/`change`, whose shapes the use cases share.
  add(app: App, input: any, who: Principal): Promise<unknown>;
  update(app: App, id: number, change: any, who: Principal): Promise<unknown>;
  remove(app: App, id: number, who: Principal): Promise<unknown>;
  /** What DELETE does, for the document. */
  removes: string;
}

const domains = z.array(z.string()).openapi({ example: ['example.com'] });
const code = z.string().openapi({ description: '2-20 letters, digits or _, starting with a letter; unique without case; null: none', example: 'ACME' });
const KEPT = [
  {
    kind: 'companies',
    create: z.object({ name: z.string(), domains: domains.optional() }),
    change: z.object({ name: z.string().optional(), domains: domains.optional() }),
    add: async (app, input, who) => (await tracker()).addCompany(app, input, who),
    update: async (app, id, change, who) => (await tracker()).updateCompany(app, id, change, who),
    remove: async (app, id, who) => (await tracker()).deleteCompany(app, id, who),
    removes: 'deletes the company; refused while projects or requesters belong to it',
  },
  {
    kind: 'projects',
    create: z.object({ name: z.string(), company: z.string().nullable().optional(), code: code.nullable().optional() }),
    change: z.object({ name: z.string().optional(), company: z.string().nullable().optional(), code: code.nullable().optional(), deleted: z.boolean().optional() }),
    add: async (app, input, who) => (await tracker()).addProject(app, input, who),
    update: async (app, id, change, who) => (await tracker()).updateProject(app, id, change, who),
    remove: async (app, id, who) => (await tracker()).setProjectDeleted(app, id, true, who),
    removes: 'marks the project deleted (rules naming only it are skipped); PATCH {deleted:false} restores it',
  },
  {
    kind: 'teams',
    create: z.object({ name: z.string() }),
    change: z.object({ name: z.string().optional() }),
    add: async (app, input, who) => (await tracker()).addTeam(app, input, who),
    update: async (app, id, change, who) => (await tracker()).updateTeam(app, id, change, who),
    remove: async (app, id, who) => (await tracker()).deleteTeam(app, id, who),
    removes: 'deletes the team; refused while items are assigned to it',
  },
  {
    kind: 'users',
    create: z.object({ email: z.string(), name: z.string() }),
    change: z.object({ email: z.string().optional(), name: z.string().optional() }),
    add: async (app, input, who) => (await tracker()).addUser(app, input, who),
    update: async (app, id, change, who) => (await tracker()).updateUser(app, id, change, who),
    remove: async (app, id, who) => (await tracker()).deleteUser(app, id, who),
    removes: 'deletes the user; refused once they wrote messages or comments',
  },
  {
    kind: 'requesters',
    create: z.object({ email: z.string(), name: z.string().optional(), company: z.string().nullable().optional() }),
    change: z.object({ email: z.string().optional(), name: z.string().optional(), company: z.string().nullable().optional() }),
    add: async (app, input, who) => (await tracker()).addRequester(app, input, who),
    update: async (app, id, change, who) => (await tracker()).updateRequester(app, id, change, who),
    remove: async (app, id, who) => (await tracker()).deleteRequester(app, id, who),
    removes: 'deletes the requester; refused once they have messages, comments or items',
  },
] satisfies Kept[];

const singular = (kind: string) => kind.replace(/ies$/, 'y').replace(/s$/, '');

export function registerTracker(api: Api): void {
  for (const kind of LISTABLE) {
    const list = route('viewer', {
      method: 'get', path: `/api/v1/tracker/${kind}`, tags, summary: `List ${kind}`,
      request: { query: z.object({ projectId: z.coerce.number().int().positive().optional().openapi({ param: { name: 'projectId', in: 'query' } }) }) },
      responses: { 200: json(z.object({ [kind]: z.array(rowSchema(kind)) }), `every ${singular(kind)}`) },
    });
    const one = route('viewer', {
      method: 'get', path: `/api/v1/tracker/${kind}/{id}`, tags, summary: `One ${singular(kind)}`,
      request: { params: IdParam },
      responses: { 200: json(rowSchema(kind), `the ${singular(kind)}`), 404: errorResponse(`no such ${singular(kind)}`) },
    });
    api.openapi(list, async (c) => {
      const { listTracker } = await tracker();
      const projectId = c.req.valid('query').projectId;
      return c.json({ [kind]: await listTracker(c.get('app'), kind, projectId ? { projectId } : {}) }, 200);
    });
    api.openapi(one, async (c) => {
      const { getTrackerMessage, getTrackerObject } = await tracker();
      const id = c.req.valid('param').id;
      const row = kind === 'messages' ? await getTrackerMessage(c.get('app'), id) : await getTrackerObject(c.get('app'), kind, id);
      return c.json(row as TrackerObject, 200);
    });
  }

  for (const kept of KEPT) {
    const create = route('admin', {
      method: 'post', path: `/api/v1/tracker/${kept.kind}`, tags, summary: `Create a ${singular(kept.kind)}`,
      request: { body: jsonBody(kept.create) },
      responses: { 201: json(rowSchema(kept.kind), 'created'), 400: errorResponse('invalid: one entry per field'), 409: errorResponse('the name (or email, domain or code) is taken') },
    });
    const change = route('admin', {
      method: 'patch', path: `/api/v1/tracker/${kept.kind}/{id}`, tags, summary: `Change a ${singular(kept.kind)}`,
      request: { params: IdParam, body: jsonBody(kept.change) },
      responses: { 200: json(rowSchema(kept.kind), 'changed'), 400: errorResponse('invalid'), 404: errorResponse('no such object'), 409: errorResponse('taken') },
    });
    const remove = route('admin', {
      method: 'delete', path: `/api/v1/tracker/${kept.kind}/{id}`, tags, summary: `Delete a ${singular(kept.kind)}`, description: kept.removes,
      request: { params: IdParam },
      responses: { 200: json(rowSchema(kept.kind), 'deleted'), 404: errorResponse('no such object'), 409: errorResponse('still in use') },
    });
    api.openapi(create, async (c) => c.json((await kept.add(c.get('app'), c.req.valid('json') as never, principalOf(c))) as TrackerObject, 201));
    api.openapi(change, async (c) =>
      c.json((await kept.update(c.get('app'), c.req.valid('param').id, c.req.valid('json') as never, principalOf(c))) as TrackerObject, 200),
    );
    api.openapi(remove, async (c) => c.json((await kept.remove(c.get('app'), c.req.valid('param').id, principalOf(c))) as TrackerObject, 200));
  }

  for (const [list, kind] of Object.entries(ITEM_LISTS)) {
    const state = route('admin', {
      method: 'patch', path: `/api/v1/tracker/${list}/{id}`, tags, summary: `Change a ${kind}'s state`,
      request: { params: IdParam, body: jsonBody(z.object({ state: z.enum(ITEM_STATES) })) },
      responses: { 200: json(z.object({ before: z.string(), state: z.enum(ITEM_STATES) }), 'the state before and now'), 400: errorResponse('not a state'), 404: errorResponse(`no such ${kind}`) },
    });
    api.openapi(state, async (c) => {
      const { setItemState } = await tracker();
      return c.json(await setItemState(c.get('app'), kind, c.req.valid('param').id, c.req.valid('json').state, principalOf(c)), 200);
    });
  }

  const download = route('viewer', {
    method: 'get', path: '/api/v1/tracker/attachments/{id}/content', tags, summary: "An attachment's bytes",
    description: 'Always a download (Content-Disposition: attachment) with a safe file name and nosniff: a file from a stranger is never shown inline.',
    request: { params: IdParam },
    responses: { 200: { description: 'the bytes', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } }, 404: errorResponse('no such attachment') },
  });
  api.openapi(download, async (c) => {
    const { openAttachment } = await tracker();
    const file = await openAttachment(c.get('app'), c.req.valid('param').id);
    return c.body(Readable.toWeb(file.stream) as ReadableStream, 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(file.size),
      'content-disposition': contentDisposition(file.fileName),
      'x-content-type-options': 'nosniff',
    });
  });
}

/** RFC 6266: an ASCII fallback name and the exact one in RFC 5987 encoding. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
