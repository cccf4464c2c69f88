// Line endings as the MIME parser needs them. mailparser (mailsplit) breaks lines at LF only, so a
// message from an old Mac mailer, whose lines end in a bare CR, reads as one endless header line:
// no subject, no sender, no body. Every CR that is not followed by LF becomes CRLF here; LF and CRLF
// pass untouched (mailparser already reads them alike), so mixed endings come out consistent too.
//
// The price: a bare CR byte inside 8bit or binary content also becomes CRLF. Base64 and
// quoted-printable parts (nearly every attachment) are unaffected, their CRs are encoded; a CR in
// 8bit text is a line break to every reader anyway. Only a `Content-Transfer-Encoding: binary` part
// (BINARYMIME, practically unused in Internet mail) could change, and only in this parsed view: the
// raw message is stored and hashed as received (RawTap sits before this stream).
import { Transform, type TransformCallback } from 'node:stream';

const CR = 0x0d;
const LF = 0x0a;
const LF_BYTE = Buffer.from([LF]);

export class BareCrToCrlf extends Transform {
  /** The previous chunk ended in CR: whether it was a bare one depends on this chunk's first byte. */
  private pendingCr = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const pieces: Buffer[] = [];
    if (this.pendingCr && chunk.length > 0 && chunk[0] !== LF) pieces.push(LF_BYTE);
    if (chunk.length > 0) this.pendingCr = false;
    let start = 0;
    // indexOf jumps from CR to CR: one pass over the chunk, whatever it holds.
    for (let i = chunk.indexOf(CR); i !== -1; i = chunk.indexOf(CR, i + 1)) {
      if (i === chunk.length - 1) {
        this.pendingCr = true;
        break;
      }
      if (chunk[i + 1] === LF) continue;
      pieces.push(chunk.subarray(start, i + 1), LF_BYTE);
      start = i + 1;
    }
    if (pieces.length === 0) return done(null, chunk);
    pieces.push(chunk.subarray(start));
    done(null, Buffer.concat(pieces));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.pendingCr ? LF_BYTE : undefined);
  }
}
