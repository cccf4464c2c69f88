// The API's contract, from its own OpenAPI document: the document is valid OpenAPI 3.1; every route the
// app answers is in it and every path in it is answered; and every operation keeps its guard: 401
// without credentials, 403 for a viewer on an admin route, 404 for an id that does not exist, 400 with
// one entry per field for a body that does not validate.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { dialects } from '../support/store.js';
import { openTestServer, type TestServer } from '../support/http.js';

type Operation = { 'x-access'?: string; security?: unknown[]; requestBody?: { content: Record<string, unknown> }; responses: Record<string, unknown> };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

/** A body each operation accepts (so that a 404 is about the id, not the body). */
const VALID_BODIES: Record<string, unknown> = {
  'patch /api/v1/profiles/{id}': { rules: '' },
  'put /api/v1/profiles/{id}/rules': { rules: '' },
  'put /api/v1/profiles/{id}/templates/{name}': { subject: 'Thanks', text: 'Thank you.' },
  'post /api/v1/profiles/{id}/rules/versions/{version}/restore': {},
  'patch /api/v1/accounts/{name}': { role: 'viewer' },
  'post /api/v1/rules/test': { profileId: 999999, raw: 'Subject: x\r\n\r\nbody\r\n' },
  'post /api/v1/rules/preview': { profileId: 999999, rules: '', last: 5 },
  'post /api/v1/messages/reprocess': { profileId: 999999 },
  ...Object.fromEntries(['requests', 'stories', 'bugs', 'tasks'].map((list) => [`patch /api/v1/tracker/${list}/{id}`, { state: 'done' }])),
};

/** A query each operation needs besides its path. */
const VALID_QUERIES: Record<string, string> = {
  'get /api/v1/profiles/{id}/rules/diff': '?from=1&to=2',
  'get /api/v1/messages': '?profileId=999999',
  'get /api/v1/outbox': '?profileId=999999',
};

/** `{id}` → a value that names nothing. */
function missing(path: string): string {
  return path.replace(/\{(id|profileId|version)\}/g, '999999').replace(/\{name\}/g, 'nobody-here').replace(/\{file\}/g, 'nothing.js');
}

for (const dialect of await dialects()) {
  describe(`API contract (${dialect})`, () => {
    let s: TestServer;
    let doc: Document;
    before(async () => {
      s = await openTestServer(dialect);
      const answer = await s.call('/api/v1/openapi.json');
      assert.equal(answer.status, 200);
      doc = answer.json as Document;
    });
    after(() => s.close());

    test('the served document is valid OpenAPI 3.1', async () => {
      assert.equal(doc.openapi, '3.1.0');
      const result = await new Validator().validate(structuredClone(doc) as unknown as Parameters<Validator["validate"]>[0]);
      assert.deepEqual(result.errors ?? [], []);
      assert.equal(result.valid, true);
    });

    test('every route the app answers is in the document, and every documented path is answered', () => {
      const answered = new Set(
        s.api.routes
          .filter((r) => r.method !== 'ALL')
          .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`),
      );
      const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
      assert.deepEqual([...answered].filter((r) => !documented.has(r)).sort(), [], 'answered but not documented');
      assert.deepEqual([...documented].filter((r) => !answered.has(r)).sort(), [], 'documented but not answered');
      assert.ok(documented.size >= 40, `expected the whole API, found ${documented.size} operations`);
    });

    test('only /healthz, /readyz, sign-in and the OAuth2 callback are anonymous; every other operation answers 401 without credentials', async () => {
      const anonymous: string[] = [];
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          if (!op.security) {
            anonymous.push(`${method} ${path}`);
            continue;
          }
          if (op['x-access'] === 'intake') continue; // its own token, tested in intake.test.ts
          const answer = await s.call(missing(path), { method: method.toUpperCase(), token: null, ...(op.requestBody ? { json: {} } : {}) });
          assert.equal(answer.status, 401, `${method} ${path} without credentials`);
          assert.ok(op.responses['401'], `${method} ${path} documents its 401`);
        }
      }
      // The OAuth2 callback is anonymous by design: its single-use state is the key (oauth-sign-in.test.ts).
      assert.deepEqual(anonymous.sort(), ['get /healthz', 'get /oauth/callback', 'get /readyz', 'post /api/v1/session']);
    });

    test('a viewer is refused (403) on every admin operation and the document says so', async () => {
      let admin = 0;
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          if (op['x-access'] !== 'admin' && op['x-access'] !== 'metrics') continue;
          admin++;
          const answer = await s.call(missing(path), { method: method.toUpperCase(), token: 'viewer', ...(op.requestBody ? { json: VALID_BODIES[`${method} ${path}`] ?? {} } : {}) });
          assert.equal(answer.status, 403, `${method} ${path} as a viewer: ${answer.text}`);
          assert.match(answer.json.error, /viewer|admin/);
        }
      }
      assert.ok(admin >= 20, `expected the admin operations, found ${admin}`);
    });

    test('every operation that documents a 404 answers 404 for an id that does not exist', async () => {
      let checked = 0;
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          if (!op.responses['404'] || op['x-access'] === 'intake') continue;
          const key = `${method} ${path}`;
          const answer = await s.call(missing(path) + (VALID_QUERIES[key] ?? ''), { method: method.toUpperCase(), ...(op.requestBody ? { json: VALID_BODIES[key] ?? {} } : {}) });
          assert.equal(answer.status, 404, `${key}: ${answer.text}`);
          assert.equal(typeof answer.json.error, 'string');
          checked++;
        }
      }
      assert.ok(checked >= 15, `expected the 404 paths, found ${checked}`);
    });

    test('every JSON body that does not validate answers 400 with one {field, message} per problem', async () => {
      let checked = 0;
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          if (!op.requestBody?.content['application/json'] || !op.responses['400']) continue;
          const answer = await s.call(missing(path).replace('999999', '1'), { method: method.toUpperCase(), json: [42] });
          assert.equal(answer.status, 400, `${method} ${path}: ${answer.text}`);
          assert.ok(Array.isArray(answer.json.errors) && answer.json.errors.length > 0, `${method} ${path} lists its errors`);
          for (const e of answer.json.errors) assert.equal(typeof e.message, 'string');
          checked++;
        }
      }
      assert.ok(checked >= 8, `expected the 400 paths, found ${checked}`);
    });

    test('errors are JSON without a stack trace, and unknown routes answer a JSON 404', async () => {
      const answer = await s.call('/api/v1/no-such-thing');
      assert.equal(answer.status, 404);
      assert.match(answer.json.error, /no such route/);
      for (const a of s.answers) assert.doesNotMatch(a.text, /at .+\.js:\d+:\d+/, 'no stack trace in any answer');
    });

    test('every answer carries the security headers', async () => {
      const answer = await s.call('/api/v1/profiles');
      const csp = answer.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(answer.headers.get('referrer-policy'), 'no-referrer');
    });

    test('a JSON body over 1 MB is refused with 413', async () => {
      const answer = await s.call('/api/v1/rules/validate', { json: { rules: 'x'.repeat(1024 * 1024 + 10) } });
      assert.equal(answer.status, 413);
    });
  });
}
