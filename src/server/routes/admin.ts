// Administration: accounts (roles), API tokens (shown once at creation, never again), the audit log.
import { z } from '@hono/zod-openapi';
import type { Api } from '../http-app.js';
import { principalOf } from '../principal.js';
import { errorResponse, json, jsonBody, route } from '../route.js';

const Role = z.enum(['admin', 'viewer']);
const Account = z.object({ id: z.number().int(), name: z.string(), role: Role, createdAt: z.string(), updatedAt: z.string() }).openapi('Account');
const Token = z
  .object({
    id: z.number().int(), name: z.string(), role: Role, prefix: z.string(), createdBy: z.string(), createdAt: z.string(),
    lastUsedAt: z.string().nullable(), revokedAt: z.string().nullable(),
  })
  .openapi('ApiToken');
const AuditEntry = z
  .object({ id: z.number().int(), at: z.string(), actor: z.string(), action: z.string(), target: z.string(), details: z.record(z.string(), z.unknown()).nullable() })
  .openapi('AuditEntry');
const NameParam = z.object({ name: z.string().openapi({ param: { name: 'name', in: 'path' }, example: 'alice' }) });
const TokenParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: '3', description: 'the id or the name' }) });

const listAccounts = route('admin', {
  method: 'get', path: '/api/v1/accounts', tags: ['accounts'], summary: 'List accounts',
  responses: { 200: json(z.object({ accounts: z.array(Account) }), 'every account') },
});
const addAccount = route('admin', {
  method: 'post', path: '/api/v1/accounts', tags: ['accounts'], summary: 'Add an account',
  request: { body: jsonBody(z.object({ name: z.string(), role: Role, password: z.string() })) },
  responses: { 201: json(Account, 'created'), 400: errorResponse('invalid name or password'), 409: errorResponse('the name is taken') },
});
const changeAccount = route('admin', {
  method: 'patch', path: '/api/v1/accounts/{name}', tags: ['accounts'], summary: "Change an account's role or password",
  description: 'A new password ends every session of the account.',
  request: { params: NameParam, body: jsonBody(z.object({ role: Role.optional(), password: z.string().optional() })) },
  responses: { 200: json(Account, 'changed'), 400: errorResponse('invalid password'), 404: errorResponse('no such account'), 409: errorResponse('the last admin cannot be demoted') },
});
const removeAccount = route('admin', {
  method: 'delete', path: '/api/v1/accounts/{name}', tags: ['accounts'], summary: 'Remove an account',
  request: { params: NameParam },
  responses: { 204: { description: 'removed' }, 404: errorResponse('no such account'), 409: errorResponse('the last admin cannot be removed') },
});
const listTokens = route('admin', {
  method: 'get', path: '/api/v1/tokens', tags: ['tokens'], summary: 'List API tokens (never the tokens themselves)',
  responses: { 200: json(z.object({ tokens: z.array(Token) }), 'every token') },
});
const createToken = route('admin', {
  method: 'post', path: '/api/v1/tokens', tags: ['tokens'], summary: 'Create an API token (shown once)',
  request: { body: jsonBody(z.object({ name: z.string(), role: Role.default('viewer') })) },
  responses: { 201: json(z.object({ token: z.string(), view: Token }), 'the token, shown only in this answer'), 400: errorResponse('invalid name'), 409: errorResponse('the name is taken') },
});
const revokeToken = route('admin', {
  method: 'delete', path: '/api/v1/tokens/{id}', tags: ['tokens'], summary: 'Revoke an API token',
  request: { params: TokenParam },
  responses: { 200: json(Token, 'revoked'), 404: errorResponse('no such token') },
});
const audit = route('admin', {
  method: 'get', path: '/api/v1/audit', tags: ['audit'], summary: 'Who changed what, newest first',
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).optional().openapi({ param: { name: 'limit', in: 'query' } }),
      before: z.coerce.number().int().positive().optional().openapi({ param: { name: 'before', in: 'query' }, description: 'the `next` of the previous page' }),
    }),
  },
  responses: { 200: json(z.object({ entries: z.array(AuditEntry), next: z.number().int().nullable() }), 'a page of the log') },
});

export function registerAdmin(api: Api): void {
  api.openapi(listAccounts, async (c) => {
    const { listAccounts: list } = await import('../../app/accounts.js');
    return c.json({ accounts: await list(c.get('app')) }, 200);
  });
  api.openapi(addAccount, async (c) => {
    const { addAccount: add } = await import('../../app/accounts.js');
    return c.json(await add(c.get('app'), c.req.valid('json'), principalOf(c)), 201);
  });
  api.openapi(changeAccount, async (c) => {
    const { changeAccount } = await import('../../app/accounts.js');
    return c.json(await changeAccount(c.get('app'), c.req.valid('param').name, c.req.valid('json'), principalOf(c)), 200);
  });
  api.openapi(removeAccount, async (c) => {
    const { removeAccount: remove } = await import('../../app/accounts.js');
    await remove(c.get('app'), c.req.valid('param').name, principalOf(c));
    return c.body(null, 204);
  });
  api.openapi(listTokens, async (c) => {
    const { listTokens: list } = await import('../../app/tokens.js');
    return c.json({ tokens: await list(c.get('app')) }, 200);
  });
  api.openapi(createToken, async (c) => {
    const { createToken: create } = await import('../../app/tokens.js');
    return c.json(await create(c.get('app'), c.req.valid('json'), principalOf(c)), 201);
  });
  api.openapi(revokeToken, async (c) => {
    const { revokeToken: revoke } = await import('../../app/tokens.js');
    const id = c.req.valid('param').id;
    return c.json(await revoke(c.get('app'), /^\d+$/.test(id) ? Number(id) : id, principalOf(c)), 200);
  });
  api.openapi(audit, async (c) => {
    const { readAudit } = await import('../../app/audit.js');
    const q = c.req.valid('query');
    return c.json(await readAudit(c.get('app'), { ...(q.limit ? { limit: q.limit } : {}), ...(q.before ? { before: q.before } : {}) }), 200);
  });
}
