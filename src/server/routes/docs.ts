// The OpenAPI 3.1 document, generated from the very zod schemas the routes validate with, and the
// interactive docs (Swagger UI served from our own files: no CDN, and it runs under our CSP).
import { z } from '@hono/zod-openapi';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ownVersion } from '../../app/version.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../auth.js';
import type { Api } from '../http-app.js';
import { errorResponse, route } from '../route.js';

export const OPENAPI_PATH = '/api/v1/openapi.json';

export function openApiDocument(api: Api, version: string) {
  return api.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'mailbind API',
      version,
      description: `Sign in with POST /api/v1/session (a cookie; state changes then need the ${CSRF_HEADER} header it returns) or send an API token as \`Authorization: Bearer mbt_…\`.`,
    },
  });
}

const SWAGGER_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};

const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mailbind API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><main id="swagger-ui"></main>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '${OPENAPI_PATH}', dom_id: '#swagger-ui', withCredentials: true });`;

const tags = ['docs'];
const text = (type: string, description: string) => ({ description, content: { [type]: { schema: z.string() } } });

const openapiJson = route('viewer', {
  method: 'get', path: OPENAPI_PATH, tags, summary: 'This document',
  responses: { 200: { description: 'the OpenAPI 3.1 document', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } } },
});
const docsPage = route('viewer', {
  method: 'get', path: '/api/docs', tags, summary: 'Interactive API docs',
  responses: { 200: text('text/html', 'Swagger UI') },
});
const docsFile = route('viewer', {
  method: 'get', path: '/api/docs/{file}', tags, summary: "The docs page's script and style",
  request: { params: z.object({ file: z.string().openapi({ param: { name: 'file', in: 'path' }, example: 'swagger-ui.css' }) }) },
  responses: { 200: text('text/javascript', 'the file'), 404: errorResponse('no such file') },
});

export function registerDocs(api: Api): void {
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearerToken', { type: 'http', scheme: 'bearer', description: 'an API token (mbt_…)' });
  api.openAPIRegistry.registerComponent('securitySchemes', 'sessionCookie', { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE });
  api.openAPIRegistry.registerComponent('securitySchemes', 'intakeToken', { type: 'http', scheme: 'bearer', description: "the profile's intake token (mbi_…)" });
  api.openAPIRegistry.registerComponent('securitySchemes', 'metricsToken', { type: 'http', scheme: 'bearer', description: 'MAILBIND_METRICS_TOKEN' });
  let document: Record<string, unknown> | undefined;
  api.openapi(openapiJson, (c) => c.json((document ??= openApiDocument(api, ownVersion()) as unknown as Record<string, unknown>), 200));
  api.openapi(docsPage, (c) => c.html(DOCS_HTML, 200));
  const swaggerDir = swaggerUiDir();
  api.openapi(docsFile, async (c) => {
    const file = c.req.valid('param').file;
    if (file === 'init.js') return c.body(DOCS_INIT, 200, { 'content-type': 'text/javascript; charset=utf-8' });
    const type = SWAGGER_FILES[file];
    if (!type) return c.json({ error: `no such file: ${file}` }, 404);
    return c.body(await readFile(join(swaggerDir, file)), 200, { 'content-type': type, 'cache-control': 'private, max-age=86400' });
  });
}

function swaggerUiDir(): string {
  const require = createRequire(import.meta.url);
  return join(require.resolve('swagger-ui-dist/package.json'), '..');
}
