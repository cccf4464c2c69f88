// Server behaviours Dovecot never shows, played by a scripted in-process server: no CAPA, no STLS, a server
// that echoes the password, data injected before the TLS handshake, a FIN in the middle of a body, a
// non-POP3 greeting, and the XOAUTH2 exchange (including its error challenge).
import assert from 'node:assert/strict';
import net from 'node:net';
import { inspect } from 'node:util';
import { after, describe, test } from 'node:test';
import { connectSteps, describePop3Error, Pop3Client, Pop3Error } from '../../../src/sources/pop3/index.js';
import { readAll } from './helpers.js';

/** What the scripted server does with one command line: a reply to write, or a function for anything else. */
type Script = (line: string, socket: net.Socket) => string | undefined;

const servers: net.Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

/** Starts a server that greets with `greeting` and answers each CRLF line via `script`; records what it got. */
async function scripted(script: Script, greeting = '+OK scripted ready\r\n'): Promise<{ port: number; received: string[] }> {
  const received: string[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.write(greeting);
    let input = '';
    socket.on('data', (d) => {
      input += d.toString('latin1');
      let lf: number;
      while ((lf = input.indexOf('\r\n')) !== -1) {
        const line = input.slice(0, lf);
        input = input.slice(lf + 2);
        received.push(line);
        const reply = script(line, socket);
        if (reply !== undefined) socket.write(reply);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
  return { port: (server.address() as net.AddressInfo).port, received };
}

const options = (port: number, extra: object = {}) => ({
  host: '127.0.0.1', port, tls: 'none' as const, login: 'joe', password: 'pw-9f8e7d', timeoutMs: 2000, ...extra,
});

describe('POP3 client against scripted servers', () => {
  test('an RFC 1939 server without CAPA: USER/PASS, empty capabilities', async () => {
    const { port, received } = await scripted((line) => (line === 'CAPA' ? '-ERR unknown command\r\n' : '+OK\r\n'));
    const client = await Pop3Client.connect(options(port));
    assert.deepEqual(client.capabilities, []);
    assert.equal(client.authMechanism, 'USER');
    client.close();
    assert.deepEqual(received, ['CAPA', 'USER joe', 'PASS pw-9f8e7d']);
  });

  test('a clean FIN before the terminator fails the RETR stream instead of ending it', async () => {
    const { port } = await scripted((line, socket) => {
      if (line.startsWith('RETR')) socket.end('+OK\r\nFrom: x\r\n\r\nhalf a mess');
      return line.startsWith('RETR') ? undefined : line === 'CAPA' ? '-ERR\r\n' : '+OK\r\n';
    });
    const client = await Pop3Client.connect(options(port));
    const stream = await client.retr(1);
    const err = await readAll(stream).then(() => assert.fail('ended normally'), (e: Pop3Error) => e);
    assert.ok(err instanceof Pop3Error);
    assert.match(err.message, /closed the connection after 22 bytes .*incomplete/);
    assert.equal(client.closed, true);
  });

  test('STARTTLS requested but STLS not offered: step stls, named', async () => {
    const { port, received } = await scripted((line) => (line === 'CAPA' ? '+OK\r\nUSER\r\nUIDL\r\n.\r\n' : '+OK\r\n'));
    const err = await Pop3Client.connect(options(port, { tls: 'starttls' })).then(() => assert.fail('connected'), (e: Pop3Error) => e);
    assert.equal(err.step, 'stls');
    assert.match(describePop3Error(err), /does not offer STARTTLS/);
    assert.ok(!received.some((l) => l.startsWith('USER')), 'no credentials sent in the clear');
  });

  test('data injected before the TLS handshake is refused (STARTTLS command injection)', async () => {
    const { port, received } = await scripted((line) => {
      if (line === 'CAPA') return '+OK\r\nSTLS\r\n.\r\n';
      if (line === 'STLS') return '+OK begin TLS\r\n+OK injected\r\n';
      return '+OK\r\n';
    });
    const err = await Pop3Client.connect(options(port, { tls: 'starttls' })).then(() => assert.fail('connected'), (e: Pop3Error) => e);
    assert.equal(err.step, 'stls');
    assert.match(err.message, /before the TLS handshake/);
    assert.deepEqual(received, ['CAPA', 'STLS']);
  });

  test('a server that echoes the password gets it redacted, in USER/PASS and AUTH PLAIN', async () => {
    const password = 'pw-9f8e7d';
    const blob = Buffer.from(`\0joe\0${password}`).toString('base64');
    for (const sasl of [false, true]) {
      const { port } = await scripted((line) => {
        if (line === 'CAPA') return sasl ? '+OK\r\nSASL PLAIN\r\n.\r\n' : '-ERR\r\n';
        if (line === 'AUTH PLAIN') return '+ \r\n';
        if (line.startsWith('PASS') || line === blob) return `-ERR [AUTH] bad credentials: ${line}\r\n`;
        return '+OK\r\n';
      });
      const err = await Pop3Client.connect(options(port)).then(() => assert.fail('connected'), (e: Pop3Error) => e);
      assert.equal(err.step, 'auth');
      assert.match(err.serverText ?? '', /\[redacted\]/);
      const shown = [err.message, inspect(err), JSON.stringify(err), describePop3Error(err)].join('\n');
      assert.ok(!shown.includes(password) && !shown.includes(blob), shown);
    }
  });

  test('a non-POP3 server is named at the greeting', async () => {
    const { port } = await scripted(() => undefined, '220 mail.example.com ESMTP\r\n');
    const result = await connectSteps(options(port));
    assert.equal(result.ok, false);
    assert.deepEqual(result.steps.map((s) => [s.step, s.ok]), [['tcp', true], ['greeting', false]]);
    assert.match(result.message, /did not greet like a POP3 server.*220 mail\.example\.com/);
  });

  test('a -ERR greeting is a refusal with the server text', async () => {
    const { port } = await scripted(() => undefined, '-ERR [SYS/TEMP] too many connections\r\n');
    const err = await Pop3Client.connect(options(port)).then(() => assert.fail('connected'), (e: Pop3Error) => e);
    assert.equal(err.step, 'greeting');
    assert.equal(err.responseCode, 'SYS/TEMP');
  });

  test('[IN-USE] at login is explained', async () => {
    const { port } = await scripted((line) => {
      if (line === 'CAPA') return '+OK\r\nRESP-CODES\r\nUSER\r\n.\r\n';
      if (line.startsWith('PASS')) return '-ERR [IN-USE] Mailbox is locked by another POP3 session\r\n';
      return '+OK\r\n';
    });
    const err = await Pop3Client.connect(options(port)).then(() => assert.fail('connected'), (e: Pop3Error) => e);
    assert.equal(err.responseCode, 'IN-USE');
    assert.match(describePop3Error(err), /in use by another POP3 session/);
  });

  test('XOAUTH2: the token is sent as user=…^Aauth=Bearer …^A^A; an error challenge is answered and reported', async () => {
    const token = 'ya29.token-abc';
    const expected = Buffer.from(`user=joe\x01auth=Bearer ${token}\x01\x01`).toString('base64');
    for (const good of [true, false]) {
      const { port, received } = await scripted((line) => {
        if (line === 'CAPA') return '+OK\r\nSASL PLAIN XOAUTH2\r\n.\r\n';
        if (line === 'AUTH XOAUTH2') return '+ \r\n';
        if (line === expected) return good ? '+OK welcome\r\n' : `+ ${Buffer.from('{"status":"401"}').toString('base64')}\r\n`;
        if (line === '') return '-ERR [AUTH] invalid token\r\n';
        return '+OK\r\n';
      });
      const attempt = Pop3Client.connect(options(port, { password: undefined, accessToken: token }));
      if (good) {
        const client = await attempt;
        assert.equal(client.authMechanism, 'XOAUTH2');
        client.close();
      } else {
        const err = await attempt.then(() => assert.fail('connected'), (e: Pop3Error) => e);
        assert.equal(err.step, 'auth');
        assert.ok(!err.message.includes(token) && !inspect(err).includes(expected));
        assert.deepEqual(received.slice(-2), [expected, ''], 'the error challenge is answered with an empty line');
      }
    }
  });
});
