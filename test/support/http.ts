// The HTTP face under test without a socket: createHttpApp over a test store, with an admin and a
// viewer API token, a memory log (to search for secrets), and `call` that records every response so
// a test can search all bodies and headers afterwards.
import { assemble, type App } from '../../src/app/app.js';
import { LoginLimiter } from '../../src/app/login-limiter.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createToken } from '../../src/app/tokens.js';
import { createHttpApp, type Api, type Lifecycle } from '../../src/server/http-app.js';
import { memoryLog, type MemoryLog } from './memory-log.js';
import { openTestStore, type TestDialect, type TestStore } from './store.js';

export interface Call {
  method?: string;
  /** A JSON body (sent with content-type application/json), or raw bytes/text with `contentType`. */
  json?: unknown;
  body?: string | Buffer;
  contentType?: string;
  /** An API token; 'admin' and 'viewer' name the ones made at start; null sends none. */
  token?: string | null;
  cookie?: string;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface TestServer {
  t: TestStore;
  app: App;
  api: Api;
  log: MemoryLog;
  lifecycle: Lifecycle;
  adminToken: string;
  viewerToken: string;
  /** Every answer so far, for searching secrets. */
  answers: Answer[];
  call(path: string, options?: Call): Promise<Answer>;
  close(): Promise<void>;
}

export async function openTestServer(dialect: TestDialect, options: { limiter?: LoginLimiter } = {}): Promise<TestServer> {
  const t = await openTestStore(dialect);
  const app = assemble(t.store);
  const log = memoryLog();
  const lifecycle: Lifecycle = { state: 'ready' };
  const api = createHttpApp({ app, logger: log.logger, limiter: options.limiter ?? new LoginLimiter(), lifecycle });
  const setup = cliPrincipal('test-setup');
  const adminToken = (await createToken(app, { name: 'test-admin', role: 'admin' }, setup)).token;
  const viewerToken = (await createToken(app, { name: 'test-viewer', role: 'viewer' }, setup)).token;
  const answers: Answer[] = [];
  const server: TestServer = {
    t, app, api, log, lifecycle, adminToken, viewerToken, answers,
    async call(path, call = {}) {
      const headers: Record<string, string> = { ...(call.headers ?? {}) };
      const token = call.token === undefined ? adminToken : call.token === 'viewer' ? viewerToken : call.token === 'admin' ? adminToken : call.token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (call.cookie) headers.cookie = call.cookie;
      let body: string | Buffer | undefined;
      if (call.json !== undefined) {
        body = JSON.stringify(call.json);
        headers['content-type'] = 'application/json';
      } else if (call.body !== undefined) {
        body = call.body;
        headers['content-type'] = call.contentType ?? 'message/rfc822';
      }
      const response = await api.request(path, { method: call.method ?? (body !== undefined ? 'POST' : 'GET'), headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      let json: any = undefined;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (raw message, metrics, docs)
      }
      const answer = { status: response.status, headers: response.headers, text, json };
      answers.push(answer);
      return answer;
    },
    async close() {
      await t.cleanup();
    },
  };
  return server;
}
