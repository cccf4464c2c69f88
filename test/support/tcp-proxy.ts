// A fault-injecting TCP proxy on 127.0.0.1 for tests of what clients do when the network misbehaves:
// a connection cut in the middle of a download (RETR, FETCH) or a server that stops answering.
//
//   const proxy = await startProxy({ targetPort: dc.ports.pop3 });
//   const client = await Pop3Client.connect({ host: '127.0.0.1', port: proxy.port, … });
//   proxy.cutAfterBytes(100_000);   // the next 100 000 bytes server→client pass, then both sides are destroyed
//   proxy.stall();                  // nothing passes either way any more, sockets stay open (a hung server)
//   proxy.passThrough();            // back to normal for connections still open and new ones
//   await proxy.close();
//
// Faults apply to every connection through the proxy, open or opened later. The client→server direction is
// never cut, only stalled.
import net from 'node:net';

export interface ProxyOptions {
  targetPort: number;
  targetHost?: string;
}

export interface TcpProxy {
  host: '127.0.0.1';
  port: number;
  /** Forward exactly `n` more server→client bytes on each connection (counted from now), then destroy both sides. */
  cutAfterBytes(n: number): void;
  /** Stop forwarding in both directions; bytes wait in the sockets' buffers. Sockets stay open. */
  stall(): void;
  /** Undo stall(): forward what was held back and continue. */
  resume(): void;
  /** Clear every fault (cut and stall). */
  passThrough(): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Server→client bytes forwarded so far, over all connections. */
  readonly bytesToClient: number;
  /** Destroy every connection and stop listening. */
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  server: net.Socket;
  /** Server→client bytes still allowed before the cut; Infinity when no cut is armed. */
  budget: number;
  held: Array<{ to: net.Socket; chunk: Buffer }>;
}

export async function startProxy(opts: ProxyOptions): Promise<TcpProxy> {
  const targetHost = opts.targetHost ?? '127.0.0.1';
  const pairs = new Set<Pair>();
  let stalled = false;
  let cutBudget = Infinity; // applied to connections accepted while a cut is armed
  let accepted = 0;
  let bytesToClient = 0;

  const destroyPair = (pair: Pair) => {
    pair.client.destroy();
    pair.server.destroy();
    pairs.delete(pair);
  };

  const forward = (pair: Pair, from: net.Socket, to: net.Socket, chunk: Buffer) => {
    if (stalled) {
      pair.held.push({ to, chunk });
      from.pause();
      return;
    }
    if (to === pair.client && chunk.length >= pair.budget) {
      const last = chunk.subarray(0, pair.budget);
      pair.budget = 0;
      bytesToClient += last.length;
      // Destroy only after the last allowed bytes are flushed, so the client sees exactly `n` bytes.
      to.write(last, () => destroyPair(pair));
      from.pause();
      return;
    }
    if (to === pair.client) {
      pair.budget -= chunk.length;
      bytesToClient += chunk.length;
    }
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => {
        if (!stalled) from.resume();
      });
    }
  };

  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect({ host: targetHost, port: opts.targetPort });
    const pair: Pair = { client, server: upstream, budget: cutBudget, held: [] };
    pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    if (stalled) {
      client.pause();
      upstream.pause();
    }
    client.on('data', (chunk: Buffer) => forward(pair, client, upstream, chunk));
    upstream.on('data', (chunk: Buffer) => forward(pair, upstream, client, chunk));
    // Either side ending or failing ends the other: a proxy does not keep half a conversation alive.
    for (const s of [client, upstream]) {
      s.on('error', () => destroyPair(pair));
      s.on('close', () => destroyPair(pair));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  const port = (server.address() as net.AddressInfo).port;

  const resumeAll = () => {
    stalled = false;
    for (const pair of [...pairs]) {
      const held = pair.held.splice(0);
      for (const { to, chunk } of held) forward(pair, to === pair.client ? pair.server : pair.client, to, chunk);
      if (pairs.has(pair) && pair.budget > 0) {
        pair.client.resume();
        pair.server.resume();
      }
    }
  };

  return {
    host: '127.0.0.1',
    port,
    cutAfterBytes(n: number) {
      if (!(n >= 0)) throw new RangeError('cutAfterBytes needs n >= 0');
      cutBudget = n;
      for (const pair of [...pairs]) {
        pair.budget = n;
        if (n === 0) destroyPair(pair);
      }
    },
    stall() {
      stalled = true;
      for (const pair of pairs) {
        pair.client.pause();
        pair.server.pause();
      }
    },
    resume: resumeAll,
    passThrough() {
      cutBudget = Infinity;
      for (const pair of pairs) pair.budget = Infinity;
      resumeAll();
    },
    get accepted() {
      return accepted;
    },
    get bytesToClient() {
      return bytesToClient;
    },
    close() {
      for (const pair of [...pairs]) destroyPair(pair);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
