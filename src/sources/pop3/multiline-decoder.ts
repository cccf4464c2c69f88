// Decoder for the body of a POP3 multi-line response (RFC 1939 §3): the bytes after the `+OK …` line up to
// the terminating `CRLF.CRLF`. Lines that begin with "." were byte-stuffed by the server; the first "." is
// removed. A line that is exactly ".\r\n" ends the response.
//
// This is where every npm POP3 client failed (shared/research/stack.md §4), so it is strict about:
// - chunk boundaries: the state survives between feed() calls, so "\r\n" / "." / "\r\n" may arrive one byte
//   at a time and a stuffed ".." may be split after its first dot;
// - bytes: it never decodes text; output is slices of the input buffers (no copies), 8-bit safe;
// - the final line break: the CRLF before the terminator belongs to the message and is kept.
//
// A line starts after every LF (also a bare LF some servers send); a CR alone does not end a line.

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const CR_BUFFER = Buffer.from([CR]);

const enum State {
  /** Inside a line: copy bytes until LF. */
  InLine,
  /** At the first byte of a line. */
  LineStart,
  /** A line began with "."; the dot was dropped. */
  Dot,
  /** A line began with ".\r"; "\n" next means the end. */
  DotCr,
}

export interface DecodeResult {
  /** Decoded message bytes, in order (may be empty). */
  out: Buffer[];
  /** Set once the terminator was seen: the bytes after it (the next response), possibly empty. */
  rest?: Buffer;
}

export class MultilineDecoder {
  private state: State = State.LineStart;
  private finished = false;

  /** True once the terminating ".\r\n" line was consumed. */
  get done(): boolean {
    return this.finished;
  }

  feed(chunk: Buffer): DecodeResult {
    if (this.finished) throw new Error('MultilineDecoder: feed() after the end of the response');
    const out: Buffer[] = [];
    const n = chunk.length;
    let i = 0;
    let segmentStart = 0; // start of the bytes not yet emitted
    const emitUpTo = (end: number) => {
      if (end > segmentStart) out.push(chunk.subarray(segmentStart, end));
    };

    while (i < n) {
      switch (this.state) {
        case State.InLine: {
          const lf = chunk.indexOf(LF, i);
          if (lf === -1) {
            i = n;
          } else {
            i = lf + 1;
            this.state = State.LineStart;
          }
          break;
        }
        case State.LineStart:
          if (chunk[i] === DOT) {
            emitUpTo(i);
            i++;
            segmentStart = i;
            this.state = State.Dot;
          } else {
            this.state = State.InLine;
          }
          break;
        case State.Dot:
          if (chunk[i] === CR) {
            // Hold the CR back: it is either part of the terminator or content of a line that began ".\r".
            i++;
            segmentStart = i;
            this.state = State.DotCr;
          } else {
            // The dot was stuffing; this byte is content. (".\n" is therefore an empty stuffed line, not a
            // terminator: only ".\r\n" ends a response, as RFC 1939 says.)
            this.state = State.InLine;
          }
          break;
        case State.DotCr:
          if (chunk[i] === LF) {
            this.finished = true;
            return { out, rest: chunk.subarray(i + 1) };
          }
          // ".\r" + something else: a stuffed line whose content starts with CR. Emit the held CR.
          out.push(CR_BUFFER);
          this.state = State.InLine;
          break;
      }
    }
    emitUpTo(n);
    return { out };
  }
}
