// The byte-level side of a POP3 session: one socket (plain, later maybe upgraded to TLS), a receive buffer,
// and at most one reader at a time: either "the next status line" or "a multi-line body into a sink".
//
// Why a hand-made reader instead of readline or async iterators: the same bytes must be read as short
// text lines (status, UIDL) and as raw binary message bodies, with backpressure that reaches the socket
// (a slow consumer pauses the TCP stream, so a 30 MB RETR never sits in memory), and with an inactivity
// timeout that runs only while we are actually waiting for the server (not while the consumer is paused).
//
// Any failure (socket error, close, timeout, protocol violation) is final: the socket is destroyed, the
// current reader is rejected, and every later call rejects with the same Pop3Error.
import net from 'node:net';
import { Pop3Error, redact, type Pop3ErrorStep } from './errors.js';
import { MultilineDecoder } from './multiline-decoder.js';
import { handshake, type TlsInfo, type TlsUpgradeOptions } from './tls-handshake.js';

export type { TlsInfo, TlsUpgradeOptions } from './tls-handshake.js';

export type Step = Exclude<Pop3ErrorStep, 'timeout'>;

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);
/** RFC 1939 caps responses at 512 octets; allow generous slack but never buffer garbage without end. */
const MAX_LINE = 64 * 1024;

export interface StatusLine {
  kind: 'ok' | 'err' | 'continue';
  /** Text after "+OK", "-ERR" or "+", redacted. */
  text: string;
  /** The bracketed RFC 2449 response code at the start of an -ERR text, e.g. 'AUTH' or 'IN-USE'. */
  responseCode?: string;
}

/** Receives a decoded multi-line body. Returning false pauses the socket until resumeFlow() is called. */
export interface MultilineSink {
  write(chunk: Buffer): boolean;
}

type Waiter =
  | { kind: 'line'; step: Step; resolve: (line: string) => void; reject: (err: Pop3Error) => void }
  | {
      kind: 'multi';
      step: Step;
      decoder: MultilineDecoder;
      sink: MultilineSink;
      received: number;
      resolve: (received: number) => void;
      reject: (err: Pop3Error) => void;
    };

export interface OpenOptions {
  host: string;
  port: number;
  localAddress?: string;
  timeoutMs: number;
  /** Strings to strip from any server text we keep (the password and encoded credentials). */
  secrets: readonly string[];
}

export class Pop3Connection {
  private socket: net.Socket;
  private pending: Buffer = EMPTY;
  private waiter: Waiter | undefined;
  private failure: Pop3Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private tls: TlsInfo | undefined;

  private constructor(socket: net.Socket, private readonly opts: OpenOptions) {
    this.socket = socket;
    this.attach(socket);
  }

  /** Opens the TCP connection (step 'connect'), with the step timeout. */
  static open(opts: OpenOptions): Promise<Pop3Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(timeoutError('connect', opts.timeoutMs));
      }, opts.timeoutMs);
      const onError = (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new Pop3Error('connect', `connecting to ${opts.host}:${opts.port} failed: ${err.message}`, { code: err.code, cause: err }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        socket.setNoDelay(true);
        resolve(new Pop3Connection(socket, opts));
      });
    });
  }

  /** TLS details once the connection is encrypted. */
  get tlsInfo(): TlsInfo | undefined {
    return this.tls;
  }

  /** The final error, if the connection has failed or was closed. */
  get failed(): Pop3Error | undefined {
    return this.failure;
  }

  /** Sends one command line. The caller must not put CR or LF into it (checked). */
  send(line: string): void {
    if (this.failure) throw this.failure;
    if (/[\r\n]/.test(line)) throw new Pop3Error('command', 'refusing to send a command containing a line break');
    this.socket.write(line + '\r\n');
  }

  /** Sends several command lines in one write (pipelining, RFC 2449): the server reads them as they come. */
  sendLines(lines: readonly string[]): void {
    if (this.failure) throw this.failure;
    if (lines.some((line) => /[\r\n]/.test(line))) throw new Pop3Error('command', 'refusing to send a command containing a line break');
    this.socket.write(lines.map((line) => line + '\r\n').join(''));
  }

  /** Reads the next status line (+OK / -ERR / "+ " continuation). Anything else is a protocol error. */
  async readStatus(step: Step): Promise<StatusLine> {
    const line = await this.readLine(step);
    const status = parseStatus(line, this.opts.secrets);
    if (!status) {
      const shown = redact(line.slice(0, 200), this.opts.secrets);
      throw this.fail(new Pop3Error(step, `unexpected reply from the server (not POP3?): "${shown}"`,
        { serverText: shown, code: 'ERR_POP3_PROTOCOL' }));
    }
    return status;
  }

  readLine(step: Step): Promise<string> {
    return new Promise((resolve, reject) => {
      this.install({ kind: 'line', step, resolve, reject });
    });
  }

  /**
   * Reads a multi-line body into `sink` (dot-unstuffed, terminator removed). Resolves with the number of
   * body bytes once the terminator arrived; rejects if the connection ends first, so a truncated body can
   * never look complete.
   */
  readMultiline(step: Step, sink: MultilineSink): Promise<number> {
    return new Promise((resolve, reject) => {
      this.install({ kind: 'multi', step, decoder: new MultilineDecoder(), sink, received: 0, resolve, reject });
    });
  }

  /** Reads a multi-line body into memory (CAPA, UIDL, LIST): small by nature. */
  async readMultilineBuffer(step: Step): Promise<Buffer> {
    const parts: Buffer[] = [];
    await this.readMultiline(step, { write: (b) => (parts.push(b), true) });
    return Buffer.concat(parts);
  }

  /** Called by a sink that returned false and now wants more bytes. */
  resumeFlow(): void {
    if (!this.paused || this.failure) return;
    this.paused = false;
    this.socket.resume();
    if (this.waiter) this.armTimer();
  }

  /**
   * Starts TLS on the current socket: for 'tls' mode right after connecting, for 'starttls' after +OK to STLS.
   * The plain socket's listeners are removed first, so no byte is read twice or in the clear.
   */
  async upgradeToTls(o: TlsUpgradeOptions): Promise<TlsInfo> {
    if (this.failure) throw this.failure;
    if (this.pending.length > 0 || this.waiter) {
      // Bytes the server sent before the handshake would be trusted as if encrypted (STARTTLS injection).
      throw this.fail(new Pop3Error('stls', 'the server sent data before the TLS handshake; refusing to continue'));
    }
    const raw = this.socket;
    this.detach(raw);
    try {
      const { socket, info } = await handshake(raw, o, this.opts.timeoutMs);
      this.socket = socket;
      this.tls = info;
      this.attach(socket);
      return info;
    } catch (err) {
      throw this.fail(err as Pop3Error);
    }
  }

  /** Closes after a successful QUIT (nothing is left to read; the server already committed). */
  end(): void {
    this.fail(new Pop3Error('command', 'the connection is closed (QUIT was sent)'));
  }

  /** Destroys the socket at once (no QUIT). Pending readers reject with `reason`. */
  destroy(reason = new Pop3Error('command', 'the connection was closed by the client')): void {
    this.fail(reason);
  }

  // ---- internals -------------------------------------------------------------------------------

  private install(waiter: Waiter): void {
    if (this.failure) {
      waiter.reject(this.failure);
      return;
    }
    if (this.waiter) {
      waiter.reject(new Pop3Error(waiter.step, 'internal error: two readers on one POP3 connection'));
      return;
    }
    this.waiter = waiter;
    if (!this.paused) this.armTimer();
    this.drain();
  }

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
  }

  private detach(socket: net.Socket): void {
    socket.removeListener('data', this.onData);
    socket.removeListener('error', this.onError);
    socket.removeListener('end', this.onEnd);
    socket.removeListener('close', this.onEnd);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.failure) return;
    this.pending = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    if (this.waiter && !this.paused) this.armTimer(); // inactivity timeout: any byte counts as progress
    this.drain();
    if (!this.waiter && this.pending.length > MAX_LINE) {
      this.fail(new Pop3Error('command', 'the server sent data nobody asked for'));
    }
  };

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    const step = this.waiter?.step ?? 'command';
    this.fail(new Pop3Error(step, `connection error: ${err.message}`, { code: err.code, cause: err }));
  };

  private readonly onEnd = (): void => {
    if (this.failure) return;
    const w = this.waiter;
    const message = w?.kind === 'multi'
      ? `the server closed the connection after ${w.received} bytes of a multi-line response; the data is incomplete`
      : 'the server closed the connection';
    this.fail(new Pop3Error(w?.step ?? 'command', message));
  };

  private drain(): void {
    while (this.waiter && this.pending.length > 0 && !this.failure) {
      const w = this.waiter;
      if (w.kind === 'line') {
        const lf = this.pending.indexOf(LF);
        if (lf === -1) {
          if (this.pending.length > MAX_LINE) this.fail(new Pop3Error(w.step, 'the server sent a line longer than 64 KiB'));
          return;
        }
        const end = lf > 0 && this.pending[lf - 1] === CR ? lf - 1 : lf;
        const line = this.pending.subarray(0, end).toString('utf8');
        this.pending = this.pending.subarray(lf + 1);
        this.settle();
        w.resolve(line);
        continue;
      }
      const chunk = this.pending;
      this.pending = EMPTY;
      const { out, rest } = w.decoder.feed(chunk);
      let wantMore = true;
      for (const part of out) {
        w.received += part.length;
        if (!w.sink.write(part)) wantMore = false;
        if (this.failure) return; // the sink may have closed us
      }
      if (rest) {
        this.pending = rest;
        this.settle();
        // The body is complete; whatever the sink wants, the connection must read the next reply.
        if (this.paused) {
          this.paused = false;
          this.socket.resume();
        }
        w.resolve(w.received);
      } else if (!wantMore && !this.paused) {
        this.paused = true;
        this.socket.pause();
        this.clearTimer(); // a slow consumer is not a slow server
      }
    }
  }

  private settle(): void {
    this.waiter = undefined;
    this.clearTimer();
  }

  private armTimer(): void {
    this.clearTimer();
    const step = this.waiter?.step ?? 'command';
    this.timer = setTimeout(() => this.fail(timeoutError(step, this.opts.timeoutMs)), this.opts.timeoutMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private rejectWaiter(err: Pop3Error): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }

  /** Makes `err` the final state of the connection and returns it (for `throw this.fail(…)`). */
  private fail(err: Pop3Error): Pop3Error {
    if (this.failure) return this.failure;
    this.failure = err;
    this.clearTimer();
    this.socket.destroy();
    this.rejectWaiter(err);
    return err;
  }
}

function timeoutError(during: Step, ms: number): Pop3Error {
  return new Pop3Error('timeout', `no response from the server within ${ms} ms (${during})`, { during });
}

function parseStatus(line: string, secrets: readonly string[]): StatusLine | undefined {
  if (line.startsWith('+OK')) return { kind: 'ok', text: redact(line.slice(3).trimStart(), secrets) };
  if (line.startsWith('-ERR')) {
    const text = redact(line.slice(4).trimStart(), secrets);
    const code = /^\[([^\]]+)\]/.exec(text)?.[1];
    return code ? { kind: 'err', text, responseCode: code } : { kind: 'err', text };
  }
  if (line === '+' || line.startsWith('+ ')) return { kind: 'continue', text: line.slice(2) };
  return undefined;
}
