// Framing fuzz over a real socket. Dovecot cannot be made to cut its output at chosen bytes, so this uses a
// tiny in-process fake POP3 server (node:net) that writes every reply in random 1–7 byte pieces, one piece
// per event-loop turn, so the client really receives them as separate reads: status lines, CAPA, and the
// RETR body with its "\r\n.\r\n" terminator and stuffed "\r\n.." split at every possible place.
// Everything else about the protocol is tested against the real Dovecot in the other files.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { Pop3Client } from '../../../src/sources/pop3/index.js';
import { prng, readAll, stuff, trickyMessage } from './helpers.js';

interface FakeServer {
  port: number;
  close(): Promise<void>;
}

/** Serves one message; every reply is written in random small pieces drawn from `rand`. */
async function startFakeServer(message: Buffer, rand: () => number): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let queue = Promise.resolve();
    const send = (data: Buffer | string) => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
      queue = queue.then(async () => {
        for (let i = 0; i < bytes.length; ) {
          const n = 1 + Math.floor(rand() * 7);
          if (socket.destroyed) return;
          socket.write(bytes.subarray(i, i + n));
          i += n;
          await new Promise((r) => setImmediate(r));
        }
      });
    };
    send('+OK fake POP3 ready\r\n');
    let input = '';
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      input += data;
      let lf: number;
      while ((lf = input.indexOf('\r\n')) !== -1) {
        const line = input.slice(0, lf);
        input = input.slice(lf + 2);
        const [verb] = line.split(' ');
        switch (verb) {
          case 'CAPA':
            send('+OK capability list follows\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n');
            break;
          case 'USER':
          case 'PASS':
          case 'NOOP':
            send('+OK\r\n');
            break;
          case 'RETR':
            send(Buffer.concat([Buffer.from(`+OK ${message.length} octets\r\n`), stuff(message)]));
            break;
          case 'QUIT':
            send('+OK bye\r\n');
            queue = queue.then(() => void socket.end());
            break;
          default:
            send('-ERR unknown command\r\n');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('RETR framing under random chunking (fake server)', () => {
  let current: FakeServer | undefined;
  after(() => current?.close());

  test('100 sessions with 1–7 byte chunks: every message byte-identical', async () => {
    for (let seed = 1; seed <= 100; seed++) {
      const rand = prng(seed * 7919);
      const message = trickyMessage(rand);
      current = await startFakeServer(message, rand);
      const client = await Pop3Client.connect({
        host: '127.0.0.1', port: current.port, tls: 'none', login: 'fuzz', password: 'fuzzpw', timeoutMs: 5000,
      });
      assert.equal(client.authMechanism, 'USER', 'no SASL advertised, so USER/PASS');
      const body = await readAll(await client.retr(1));
      assert.ok(body.equals(message), `seed ${seed}: RETR body differs (${body.length} vs ${message.length} bytes)`);
      await client.noop(); // the connection is still in sync after the body
      await client.quit();
      await current.close();
      current = undefined;
    }
  });
});
