// A real HTTP server on 127.0.0.1 standing in for an alert webhook: it keeps every request (body,
// headers, the status it answered) and answers as the test says, holding a request open if told to.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  body: any;
  headers: IncomingHttpHeaders;
  url: string;
  status: number;
}

export interface Receiver {
  /** The webhook's URL (http://127.0.0.1:port/hook). */
  url: string;
  /** Every request, in arrival order, answered or not yet. */
  requests: Received[];
  /** The requests answered 2xx: what was delivered. */
  delivered(): Received[];
  /**
   * How the next requests are answered, one entry each (then 200): a status, or a promise of one (the
   * request is held open until it resolves).
   */
  answers: Array<number | Promise<number>>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  const answers: Array<number | Promise<number>> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const entry: Received = { body: JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: req.headers, url: req.url ?? '', status: 0 };
      requests.push(entry);
      const status = await (answers.shift() ?? 200);
      entry.status = status;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    answers,
    delivered: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
