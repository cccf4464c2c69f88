// Serving the Hono app on a socket (@hono/node-server). Closing stops accepting at once, lets requests
// in flight finish, and drops idle keep-alive connections so a browser's open socket cannot hold the
// shutdown; whatever still runs after `graceMs` is cut.
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  url: string;
  port: number;
  close(graceMs?: number): Promise<void>;
}

export function listen(api: { fetch: (request: Request) => Response | Promise<Response> }, options: { host: string; port: number }): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: api.fetch, hostname: options.host, port: options.port }) as Server;
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close: (graceMs = 5000) =>
          new Promise<void>((done) => {
            const cut = setTimeout(() => server.closeAllConnections(), graceMs);
            cut.unref();
            server.close(() => {
              clearTimeout(cut);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
