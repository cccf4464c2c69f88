// POP3 client (RFC 1939, CAPA RFC 2449, STLS RFC 2595, AUTH PLAIN RFC 4616 / XOAUTH2 via RFC 5034).
//
//   const client = await Pop3Client.connect({ host, port: 995, tls: 'tls', login, password });
//   for (const { n, uid } of await client.uidl()) {
//     if (known(uid)) continue;
//     const body = await client.retr(n);          // Readable of the exact message bytes
//     await store(uid, body);                     // ends only if the whole message arrived
//     await client.dele(n);                       // marks only…
//   }
//   await client.quit();                          // …QUIT commits the deletions; close() never does
//
// Many messages at once (what intake does): `retrBatch([3, 4, 5], bounds)` sends the RETRs together when
// the server offers PIPELINING (RFC 2449; one at a time otherwise) and reads the answers in order into
// memory, each bounded (see RetrBounds); a -ERR is the answer of its message only.
//
// Commands run one at a time in call order (calls may be issued without awaiting the previous one).
// A RETR/TOP holds the connection until its body has been read (or the stream destroyed: the rest is then
// discarded). So always consume or destroy the stream (stream/promises pipeline() does both): one that is
// left alone blocks later commands, and no timeout fires while the consumer holds back, because that is
// backpressure, not a hung server. After any failure the client is unusable and every call rejects with
// the same Pop3Error.
import { Readable } from 'node:stream';
import type { Pop3Connection, TlsInfo } from './connection.js';
import { Pop3Error } from './errors.js';
import { Pop3MessageStream } from './message-stream.js';
import type { Pop3Options } from './options.js';
import { expectOk, openSession, refused, type AuthMechanism, type Session } from './session.js';

export interface Pop3Stat {
  count: number;
  /** Total size in octets (CRLF line endings, as the server will send them). */
  size: number;
}

/** How much of a batch retrBatch keeps in memory. */
export interface RetrBounds {
  /** An answer this long (or longer) is not kept: the message is larger than the batch expected (`larger`). */
  wholeBelow: number;
  /** Once the messages kept hold more than this many bytes, the answers after them are read and dropped (`later`). */
  maxHeld: number;
}

/** The answer to one RETR of a batch. */
export type RetrAnswer =
  | { kind: 'message'; content: Buffer }
  | { kind: 'larger' }
  | { kind: 'later' }
  | { kind: 'refused'; error: Pop3Error };

export interface RetrBatch {
  /** One per message answered, in the order asked. */
  answers: RetrAnswer[];
  /** Set when the connection failed: the messages after `answers` got no (whole) answer. */
  failure?: Pop3Error;
}

export class Pop3Client {
  /** The server's greeting text (after "+OK"). */
  readonly greeting: string;
  /** CAPA lines (after STLS: the ones re-read over TLS). Empty when the server has no CAPA. */
  readonly capabilities: readonly string[];
  /** Protocol, cipher and certificate verification result; undefined without TLS. */
  readonly tls: TlsInfo | undefined;
  readonly authMechanism: AuthMechanism;
  private readonly conn: Pop3Connection;
  private queue: Promise<void> = Promise.resolve();

  private constructor(session: Session) {
    this.conn = session.conn;
    this.greeting = session.greeting;
    this.capabilities = session.capabilities;
    this.tls = session.tls;
    this.authMechanism = session.authMechanism;
  }

  /** Connects, does TLS or STLS, reads the greeting and CAPA, and logs in. Rejects with a Pop3Error. */
  static async connect(opts: Pop3Options): Promise<Pop3Client> {
    return new Pop3Client(await openSession(opts));
  }

  /** Wraps an already opened session (used by connectSteps). */
  static fromSession(session: Session): Pop3Client {
    return new Pop3Client(session);
  }

  /** True once the connection failed or was closed (by quit(), close() or the server). */
  get closed(): boolean {
    return this.conn.failed !== undefined;
  }

  async stat(): Promise<Pop3Stat> {
    return this.exclusive(async () => {
      const status = await expectOk(this.conn, 'STAT', 'command', 'STAT');
      const m = /^(\d+)\s+(\d+)/.exec(status.text);
      if (!m) throw new Pop3Error('command', `malformed STAT reply: "${status.text}"`, { serverText: status.text });
      return { count: Number(m[1]), size: Number(m[2]) };
    });
  }

  /** Message numbers and sizes (octets, CRLF form) of all messages not marked deleted. */
  async list(): Promise<Array<{ n: number; size: number }>> {
    return this.exclusive(async () => {
      await expectOk(this.conn, 'LIST', 'command', 'LIST');
      return parseListing(await this.conn.readMultilineBuffer('command'), 'LIST', (n, value) => {
        if (!/^\d+$/.test(value)) return undefined;
        return { n, size: Number(value) };
      });
    });
  }

  /** Message numbers and unique ids (stable across sessions: the origin key of a POP3 message). */
  async uidl(): Promise<Array<{ n: number; uid: string }>> {
    return this.exclusive(async () => {
      await expectOk(this.conn, 'UIDL', 'command', 'UIDL');
      return parseListing(await this.conn.readMultilineBuffer('command'), 'UIDL', (n, value) => {
        // RFC 1939: 1–70 characters in 0x21–0x7E.
        if (!/^[\x21-\x7e]{1,70}$/.test(value)) return undefined;
        return { n, uid: value };
      });
    });
  }

  /** Streams message `n` byte-exactly. Resolves after "+OK"; -ERR (no such message) rejects. */
  async retr(n: number): Promise<Pop3MessageStream> {
    return this.body(`RETR ${messageNumber(n)}`, 'RETR');
  }

  /** Streams the headers, the blank line and the first `lines` body lines of message `n`. */
  async top(n: number, lines: number): Promise<Pop3MessageStream> {
    if (!Number.isInteger(lines) || lines < 0) throw new TypeError(`POP3: invalid line count ${lines}`);
    return this.body(`TOP ${messageNumber(n)} ${lines}`, 'TOP');
  }

  /**
   * The header of message `n` (TOP n 0), cut at `maxBytes`: a header has no size limit of its own, so one
   * can be most of a message. The rest of the answer is read and thrown away (the connection stays usable).
   */
  async header(n: number, maxBytes: number): Promise<Readable> {
    const top = await this.top(n, 0);
    const header = Readable.from(firstBytes(top, maxBytes), { objectMode: false });
    // Destroyed before its first read, the generator never starts (nor its finally): the answer must still drain.
    header.once('close', () => top.destroy());
    return header;
  }

  /** Marks message `n` deleted. The server removes it only on a successful quit(). */
  async dele(n: number): Promise<void> {
    await this.exclusive(() => expectOk(this.conn, `DELE ${messageNumber(n)}`, 'command', 'DELE'));
  }

  /** Unmarks all messages marked deleted in this session. */
  async rset(): Promise<void> {
    await this.exclusive(() => expectOk(this.conn, 'RSET', 'command', 'RSET'));
  }

  async noop(): Promise<void> {
    await this.exclusive(() => expectOk(this.conn, 'NOOP', 'command', 'NOOP'));
  }

  /** Sends QUIT (which commits DELEs) and closes. Rejects if the server reports that the update failed. */
  async quit(): Promise<void> {
    await this.exclusive(async () => {
      try {
        await expectOk(this.conn, 'QUIT', 'command', 'QUIT');
      } finally {
        this.conn.end();
      }
    });
  }

  /** True when the server offers PIPELINING (RFC 2449): commands may be sent without waiting for answers. */
  get pipelining(): boolean {
    return this.capabilities.some((c) => c.toUpperCase() === 'PIPELINING');
  }

  /**
   * RETRs messages `ns` and reads their answers in order into memory, within `bounds`: memory stays at
   * most maxHeld plus wholeBelow whatever sizes the server listed. With PIPELINING the commands go out
   * in one write before any answer is read. Never rejects for the server's sake: a -ERR is the answer of
   * its message, a failed connection ends the batch (`failure`) and keeps the answers read before it.
   * The inactivity timeout runs while an answer is awaited and restarts with every byte that arrives.
   */
  async retrBatch(ns: readonly number[], bounds: RetrBounds): Promise<RetrBatch> {
    const lines = ns.map((n) => `RETR ${messageNumber(n)}`);
    return this.exclusive(async () => {
      const answers: RetrAnswer[] = [];
      let held = 0;
      try {
        if (this.pipelining) this.conn.sendLines(lines);
        for (const line of lines) {
          if (!this.pipelining) this.conn.send(line);
          const status = await this.conn.readStatus('command');
          if (status.kind === 'continue') throw new Pop3Error('command', 'the server answered RETR with a "+" continuation', { code: 'ERR_POP3_PROTOCOL' });
          if (status.kind === 'err') {
            answers.push({ kind: 'refused', error: refused('command', 'RETR refused by the server', status) });
            continue;
          }
          const keep = held <= bounds.maxHeld;
          const parts: Buffer[] = [];
          let size = 0;
          await this.conn.readMultiline('command', {
            write: (part) => {
              size += part.length;
              if (keep && size < bounds.wholeBelow) parts.push(part);
              else parts.length = 0; // not kept: nothing of it stays in memory
              return true;
            },
          });
          if (!keep) answers.push({ kind: 'later' });
          else if (size >= bounds.wholeBelow) answers.push({ kind: 'larger' });
          else {
            held += size;
            answers.push({ kind: 'message', content: Buffer.concat(parts, size) });
          }
        }
      } catch (err) {
        const failure = err instanceof Pop3Error ? err : new Pop3Error('command', String((err as Error)?.message ?? err), { cause: err });
        // Answers can no longer be told apart: the connection is done (if it is not already).
        this.conn.destroy(failure);
        return { answers, failure: this.conn.failed ?? failure };
      }
      return { answers };
    });
  }

  /** Drops the connection without QUIT: nothing marked with DELE is deleted. Safe to call any time, twice. */
  close(): void {
    this.conn.destroy();
  }

  private async body(line: string, label: string): Promise<Pop3MessageStream> {
    const release = await this.acquire();
    try {
      const status = await expectOk(this.conn, line, 'command', label);
      const octets = /^(\d+)/.exec(status.text)?.[1];
      return new Pop3MessageStream(this.conn, octets === undefined ? undefined : Number(octets), release);
    } catch (err) {
      release();
      throw err;
    }
  }

  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Waits for the previous command to finish; resolves with the function that frees the connection. */
  private acquire(): Promise<() => void> {
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const previous = this.queue;
    this.queue = previous.then(() => done);
    return previous.then(() => release);
  }
}

/** The first `max` bytes of `source`; leaving early destroys it (a Pop3MessageStream then drains the rest). */
async function* firstBytes(source: Readable, max: number): AsyncGenerator<Buffer> {
  let taken = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const room = max - taken;
      if (chunk.length >= room) {
        if (room > 0) yield chunk.subarray(0, room);
        return;
      }
      taken += chunk.length;
      yield chunk;
    }
  } finally {
    source.destroy();
  }
}

function messageNumber(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`POP3: invalid message number ${n}`);
  return n;
}

function parseListing<T>(body: Buffer, verb: string, item: (n: number, value: string) => T | undefined): T[] {
  const out: T[] = [];
  for (const line of body.toString('latin1').split(/\r?\n/)) {
    if (line === '') continue;
    const m = /^(\d+)\s+(\S+)/.exec(line);
    const parsed = m ? item(Number(m[1]), m[2]!) : undefined;
    if (parsed === undefined) throw new Pop3Error('command', `malformed ${verb} line: "${line.slice(0, 100)}"`);
    out.push(parsed);
  }
  return out;
}
