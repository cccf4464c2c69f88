// A fault-injecting TCP proxy on 127.0.0.1 for tests of what clients do when the network misbehaves:
// a connection cut in the middle of a download (RETR, FETCH) or a server that stops answering.
//
//   const proxy = await startProxy({ targetPort: dc.ports.pop3 });
//   const client = await Pop3Client.connect({ host: '127.0.0.1', port: proxy.port, … });
//   proxy.cutAfterBytes(100_000);   // the next 100 000 bytes server→client pass, then both sides are destroyed
//   proxy.stall();                  // nothing passes either way any more, sockets stay open (a hung server)
//   proxy.throttle(200_000);        // server→client bytes flow at 200 KB/s, steadily (a slow link)
//   proxy.refuseAfter(1);           // connections after the first are closed at once (a server refusing more)
//   proxy.passThrough();            // back to normal for connections still open and new ones
//   await proxy.close();
//
// Faults apply to every connection through the proxy, open or opened later. The client→server direction is
// never cut, only stalled.
//
// With `record: true` the proxy also keeps a transcript of what it forwarded, in the order it forwarded
// it: each client→server chunk with its text (the commands of a plain-text protocol), each server→client
// chunk by its length only. The order is causal: a server answers only what was forwarded to it, and a
// client hears only what was forwarded to it, so a transcript shows which commands a client sent before
// it had heard any answer to them (pipelining) without a clock.
import net from 'node:net';

export interface ProxyOptions {
  targetPort: number;
  targetHost?: string;
  /** Keep a transcript (`records`). */
  record?: boolean;
}

/** One forwarded chunk: `connection` counts from 1 in the order connections were accepted. */
export type ProxyRecord =
  | { connection: number; from: 'client'; text: string }
  | { connection: number; from: 'server'; bytes: number };

export interface TcpProxy {
  host: '127.0.0.1';
  port: number;
  /** Forward exactly `n` more server→client bytes on each connection (counted from now), then destroy both sides. */
  cutAfterBytes(n: number): void;
  /** Stop forwarding in both directions; bytes wait in the sockets' buffers. Sockets stay open. */
  stall(): void;
  /** Undo stall(): forward what was held back and continue. */
  resume(): void;
  /**
   * Pass server→client bytes at about `bytesPerSecond`, in twentieths of a second: a slow link whose
   * bytes never stop. The server is paused while a second's worth waits.
   */
  throttle(bytesPerSecond: number): void;
  /**
   * Close every connection after the first `n` accepted (counted from the proxy's start) as soon as it
   * is accepted, before the server says anything: a server that takes no more connections.
   */
  refuseAfter(n: number): void;
  /** Clear every fault (cut, stall, throttle and refusal). */
  passThrough(): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Server→client bytes forwarded so far, over all connections. */
  readonly bytesToClient: number;
  /** The transcript so far (with `record: true`; empty otherwise). */
  readonly records: readonly ProxyRecord[];
  /** Destroy every connection and stop listening. */
  close(): Promise<void>;
}

interface Pair {
  connection: number;
  client: net.Socket;
  server: net.Socket;
  /** Server→client bytes still allowed before the cut; Infinity when no cut is armed. */
  budget: number;
  held: Array<{ to: net.Socket; chunk: Buffer }>;
  /** Server→client bytes waiting for the throttle. */
  slow: Buffer[];
}

const TICKS_PER_SECOND = 20;

export async function startProxy(opts: ProxyOptions): Promise<TcpProxy> {
  const targetHost = opts.targetHost ?? '127.0.0.1';
  const pairs = new Set<Pair>();
  let stalled = false;
  let cutBudget = Infinity; // applied to connections accepted while a cut is armed
  let accepted = 0;
  let acceptedAtMost = Infinity;
  let bytesToClient = 0;
  let rate = Infinity; // server→client bytes per second
  let ticker: NodeJS.Timeout | undefined;
  const records: ProxyRecord[] = [];
  const record = (pair: Pair, to: net.Socket, chunk: Buffer) => {
    if (!opts.record || chunk.length === 0) return;
    records.push(to === pair.client
      ? { connection: pair.connection, from: 'server', bytes: chunk.length }
      : { connection: pair.connection, from: 'client', text: chunk.toString('latin1') });
  };

  // Each tick passes a twentieth of the rate on every connection; a server held back resumes once
  // what waits is under a second's worth.
  const tick = () => {
    for (const pair of pairs) {
      let budget = Math.max(1, Math.floor(rate / TICKS_PER_SECOND));
      while (budget > 0 && pair.slow.length) {
        const head = pair.slow[0]!;
        const part = head.subarray(0, budget);
        record(pair, pair.client, part);
        pair.client.write(part);
        budget -= part.length;
        if (part.length === head.length) pair.slow.shift();
        else pair.slow[0] = head.subarray(part.length);
      }
      if (!stalled && waiting(pair) < rate) pair.server.resume();
    }
  };
  const waiting = (pair: Pair) => pair.slow.reduce((sum, b) => sum + b.length, 0);
  const flushSlow = () => {
    for (const pair of pairs) {
      for (const chunk of pair.slow.splice(0)) {
        record(pair, pair.client, chunk);
        pair.client.write(chunk);
      }
    }
  };

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
      record(pair, to, last);
      to.write(last, () => destroyPair(pair));
      from.pause();
      return;
    }
    if (to === pair.client) {
      pair.budget -= chunk.length;
      bytesToClient += chunk.length;
    }
    if (to === pair.client && rate !== Infinity) {
      pair.slow.push(chunk);
      if (waiting(pair) >= rate) from.pause();
      return;
    }
    record(pair, to, chunk);
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => {
        if (!stalled) from.resume();
      });
    }
  };

  const server = net.createServer((client) => {
    accepted++;
    if (accepted > acceptedAtMost) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: targetHost, port: opts.targetPort });
    const pair: Pair = { connection: accepted, client, server: upstream, budget: cutBudget, held: [], slow: [] };
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
    throttle(bytesPerSecond: number) {
      if (!(bytesPerSecond > 0)) throw new RangeError('throttle needs a positive rate');
      rate = bytesPerSecond;
      ticker ??= setInterval(tick, 1000 / TICKS_PER_SECOND);
    },
    refuseAfter(n: number) {
      if (!(n >= 0)) throw new RangeError('refuseAfter needs n >= 0');
      acceptedAtMost = n;
    },
    passThrough() {
      acceptedAtMost = Infinity;
      cutBudget = Infinity;
      rate = Infinity;
      clearInterval(ticker);
      ticker = undefined;
      flushSlow();
      for (const pair of pairs) pair.budget = Infinity;
      resumeAll();
    },
    get accepted() {
      return accepted;
    },
    get bytesToClient() {
      return bytesToClient;
    },
    get records() {
      return records;
    },
    close() {
      clearInterval(ticker);
      for (const pair of [...pairs]) destroyPair(pair);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
