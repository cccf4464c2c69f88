// Every API route is declared with `route(access, config)`: its zod schemas (which validate the
// request and write the OpenAPI document), who may call it, and the 401/403 answers that follow.
// Access is one word per route, so the contract test can check every route's guard from the document.
import { createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import { requireAccess, type Access } from './auth.js';

export type { Access };

export const ErrorSchema = z
  .object({
    error: z.string().openapi({ example: 'host: Server should not be empty' }),
    errors: z
      .array(
        z.union([
          z.object({ field: z.string(), message: z.string() }),
          z.object({ line: z.number(), column: z.number(), endColumn: z.number(), message: z.string(), suggestion: z.string().optional() }),
        ]),
      )
      .optional(),
  })
  .openapi('Error');

export const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

const SECURITY: Record<Exclude<Access, 'public'>, Array<Record<string, string[]>>> = {
  viewer: [{ bearerToken: [] }, { sessionCookie: [] }],
  admin: [{ bearerToken: [] }, { sessionCookie: [] }],
  intake: [{ intakeToken: [] }],
  metrics: [{ bearerToken: [] }, { metricsToken: [] }],
};

/** A route any caller with `access` may call; the document says which role it needs (x-access). */
export function route<const R extends RouteConfig>(access: Access, config: R): R & { getRoutingPath(): string } {
  const guarded = access === 'public'
    ? config
    : {
        ...config,
        security: SECURITY[access],
        middleware: [requireAccess(access)],
        'x-access': access,
        responses: {
          ...config.responses,
          401: errorResponse('not signed in, or the token is unknown or revoked'),
          ...(access === 'admin' ? { 403: errorResponse('an admin may do this; a viewer only reads (or the CSRF token is missing)') } : {}),
        },
      };
  return createRoute(guarded as R & { path: R['path'] }) as R & { getRoutingPath(): string };
}

/** `{id}` path parameter, a positive integer. */
export const IdParam = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});
