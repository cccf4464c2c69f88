// The pass-through between the raw input and the MIME parser: hashes and counts the bytes exactly
// as received (the synthetic Message-ID and the size are about the stored raw message), and hides a
// leading UTF-8 byte order mark from the parser, which would otherwise read "\uFEFFFrom" as an
// unknown header and lose the sender (seen in the wild, e.g. MimeKit's feedback-report.txt).
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export class RawTap extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  /** Bytes held back until it is known whether the input starts with a BOM. */
  private head: Buffer | null = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.head === null) return done(null, chunk);
    const head = Buffer.concat([this.head, chunk]);
    if (head.length < BOM.length && BOM.subarray(0, head.length).equals(head)) {
      this.head = head;
      return done();
    }
    this.head = null;
    done(null, head.subarray(0, BOM.length).equals(BOM) ? head.subarray(BOM.length) : head);
  }

  override _flush(done: TransformCallback): void {
    // Input shorter than a BOM that looked like one: pass it on unless it was exactly the BOM.
    const rest = this.head && !this.head.equals(BOM) ? this.head : null;
    this.head = null;
    done(null, rest && rest.length > 0 ? rest : undefined);
  }

  /** Size of the raw input in bytes; final once the stream has ended. */
  get size(): number {
    return this.bytes;
  }

  /** SHA-256 hex of the raw input; call once, after the stream has ended. */
  sha256(): string {
    return this.hash.digest('hex');
  }
}
