// The Readable handed out by RETR and TOP. It carries the exact message bytes (dot-unstuffed, final CRLF
// kept) and ends ONLY when the terminator arrived: any connection failure on the way destroys it with the
// Pop3Error, so a truncated download can never pass for a complete message.
//
// Backpressure goes all the way to the socket: when the consumer stops reading, push() returns false,
// the connection pauses the socket (and its inactivity timer), and _read() resumes it.
// Destroying the stream early is allowed: the rest of the message is read and thrown away, and the
// connection stays usable for the next command.
import { Readable } from 'node:stream';
import type { Pop3Connection } from './connection.js';

export class Pop3MessageStream extends Readable {
  /** The octet count the server announced ("+OK 1234 octets"), if it did. Informational: not enforced. */
  readonly declaredSize: number | undefined;
  private complete = false;
  private abandoned = false;
  private received = 0;

  /** `release` is called once the connection is free for the next command (body read or connection failed). */
  constructor(private readonly conn: Pop3Connection, declaredSize: number | undefined, release: () => void) {
    super({ highWaterMark: 64 * 1024 });
    this.declaredSize = declaredSize;
    conn
      .readMultiline('command', {
        write: (chunk) => {
          if (this.abandoned) return true;
          this.received += chunk.length;
          return this.push(chunk);
        },
      })
      .then(
        () => {
          this.complete = true;
          if (!this.abandoned) this.push(null);
          release();
        },
        (err: Error) => {
          this.destroy(err);
          release();
        },
      );
  }

  /** Message bytes received so far. */
  get bytesReceived(): number {
    return this.received;
  }

  override _read(): void {
    this.conn.resumeFlow();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.complete) {
      this.abandoned = true;
      this.conn.resumeFlow(); // keep draining into the void so the connection reaches the next reply
    }
    callback(err);
  }
}
