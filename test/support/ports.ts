// Loopback port helpers for tests that start real servers.
//
// Ports are picked dynamically because a shared machine may already run another Dovecot (or another test
// file's instance) on any fixed port. The small race between "free" and "bound by the server" is handled by
// the callers retrying their start (see dovecot.ts).
import net from 'node:net';

/** Asks the kernel for a free TCP port on `host` (default 127.0.0.1) and releases it again. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `count` distinct free ports (distinct even if the kernel hands one out twice). */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}

export interface WaitForPortOptions {
  host?: string;
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Checked before every attempt; a returned Error aborts the wait (e.g. "the server process exited"). */
  abortIf?: () => Error | undefined;
}

/** Resolves once a TCP connection to `port` succeeds; polls every 20 ms. */
export async function waitForPort(port: number, opts: WaitForPortOptions = {}): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const abort = opts.abortIf?.();
    if (abort) throw abort;
    if (await canConnect(host, port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${opts.timeoutMs ?? 10_000} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
