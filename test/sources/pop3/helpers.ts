// Shared helpers of the POP3 tests (not a test file itself: scripts/run-tests.mjs runs *.test.js only).
import type { Readable } from 'node:stream';
import type { Dovecot } from '../../support/dovecot.js';
import type { Pop3Options } from '../../../src/sources/pop3/index.js';

/** Reads a stream to the end into one Buffer (rejects if the stream errors). */
export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/**
 * What a POP3 server sends for a stored message: every line ending CRLF (Dovecot stores what it is given and
 * turns LF into CRLF on output; a bare CR stays), and a final CRLF added if the message lacks one.
 */
export function crlfNormalise(raw: Buffer): Buffer {
  const text = raw.toString('latin1').replace(/\r?\n/g, '\r\n');
  return Buffer.from(text.endsWith('\r\n') ? text : text + '\r\n', 'latin1');
}

/** Options for alice on the given Dovecot; `tls` picks the matching port. */
export function aliceOptions(dc: Dovecot, tls: Pop3Options['tls'] = 'tls', extra: Partial<Pop3Options> = {}): Pop3Options {
  return {
    host: dc.host,
    port: tls === 'tls' ? dc.ports.pop3s : dc.ports.pop3,
    tls,
    ca: dc.caCert,
    login: 'alice',
    password: 'alicepw',
    timeoutMs: 10_000,
    ...extra,
  };
}

export { prng } from '../../support/prng.js';

/** RFC 1939 byte-stuffing of a CRLF message plus the terminator: what a server puts on the wire after +OK. */
export function stuff(message: Buffer): Buffer {
  const text = message.toString('latin1');
  const stuffed = text.replace(/(^|\n)\./g, '$1..');
  const withEnd = stuffed.length === 0 || stuffed.endsWith('\r\n') ? stuffed : stuffed + '\r\n';
  return Buffer.from(withEnd + '.\r\n', 'latin1');
}

/**
 * A random CRLF message body that hits every framing corner: lines starting with ".", "..", a lone ".",
 * ". " and "..." lines, 8-bit bytes, bare CR inside lines, empty lines, long lines.
 */
export function trickyMessage(rand: () => number): Buffer {
  const specials = ['.', '..', '...', '. ', '.x', '..y', '', '\r', '.\r', 'a.\r\n.b'.replace('\r\n', ''), '\u00ff\u0080.'];
  const lines: string[] = ['Subject: fuzz', ''];
  const count = 1 + Math.floor(rand() * 40);
  for (let i = 0; i < count; i++) {
    const r = rand();
    if (r < 0.5) lines.push(specials[Math.floor(rand() * specials.length)]!);
    else {
      let line = '';
      const len = Math.floor(rand() * (r > 0.95 ? 3000 : 80));
      for (let j = 0; j < len; j++) {
        const c = Math.floor(rand() * 256);
        line += c === 0x0a || c === 0x0d ? '.' : String.fromCharCode(c);
      }
      lines.push(line);
    }
  }
  return Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');
}
