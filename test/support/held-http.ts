// An HTTP proxy on loopback in front of a provider, for tests of what mailbind does while a provider
// request is under way: it forwards every request, except those a test asked it to hold, which wait
// until the test releases them (forwarded then, the answer relayed) or answers them itself. It notes
// when a client gives up on a held request, so a test can tell whether it was abandoned in time, and
// which requests actually reached the provider.
//
//   const proxy = await startHoldingProxy(op.issuer);
//   const held = proxy.holdNext((method, path) => method === 'POST' && path === '/token');
//   …something sends a refresh to `${proxy.origin}/token`…
//   const request = await held;           // it arrived, and waits
//   const gaveUpAt = await request.abandoned;
//   await proxy.close();
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeldRequest {
  method: string;
  path: string;
  /** When it arrived (this process's clock, ms). */
  arrivedAt: number;
  /** Resolves with the moment the client closed its connection without an answer. */
  abandoned: Promise<number>;
  /** Forward it to the target and relay the answer; resolves once answered (or at once if abandoned). */
  release(): Promise<void>;
  /** Answer it here with `status` and a JSON body; it never reaches the target. */
  answer(status: number, body: unknown): void;
}

export interface HoldingProxy {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** The next request (from now on) that `match` accepts is held; resolves when it arrives. */
  holdNext(match: (method: string, path: string) => boolean): Promise<HeldRequest>;
  /** `METHOD path` of each request forwarded to the target so far. */
  forwarded(): string[];
  /** Closes the server and every connection (held requests included). */
  close(): Promise<void>;
}

/** Request bodies here are token requests and discovery: small. */
const MAX_BODY = 64 * 1024;

export async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  const waiting: Array<{ match: (method: string, path: string) => boolean; resolve: (held: HeldRequest) => void }> = [];
  const forwarded: string[] = [];

  async function forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    forwarded.push(`${req.method} ${req.url}`);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => k !== 'host' && k !== 'connection' && typeof v === 'string')) as Record<string, string>;
    const answer = await fetch(new URL(req.url ?? '/', target), {
      method: req.method ?? 'GET', headers, redirect: 'manual', ...(body.length ? { body } : {}),
    });
    const payload = Buffer.from(await answer.arrayBuffer());
    const out: Record<string, string> = {};
    answer.headers.forEach((value, key) => {
      if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(key)) out[key] = value;
    });
    res.writeHead(answer.status, out).end(payload);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const method = req.method ?? 'GET';
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const at = waiting.findIndex((w) => w.match(method, path));
      if (at === -1) {
        forward(req, body, res).catch((error: Error) => res.writeHead(502).end(error.message));
        return;
      }
      const [{ resolve }] = waiting.splice(at, 1) as [(typeof waiting)[number]];
      let answered = false;
      const abandoned = new Promise<number>((done) => res.on('close', () => !answered && done(Date.now())));
      resolve({
        method,
        path,
        arrivedAt: Date.now(),
        abandoned,
        release: async () => {
          if (res.destroyed) return;
          answered = true;
          await forward(req, body, res);
        },
        answer: (status, json) => {
          answered = true;
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
        },
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  return {
    origin,
    holdNext: (match) => new Promise((resolve) => waiting.push({ match, resolve })),
    forwarded: () => [...forwarded],
    close: () => (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    })),
  };
}
