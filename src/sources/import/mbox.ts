// Splits an mbox file into messages while streaming it: never more than one message in memory.
// Messages start at a "From " line after a blank line (or at the start of the file); ">From " quoting
// (mboxrd and mboxo) loses one ">" on the way out.
import { createReadStream } from 'node:fs';

export async function* splitMbox(path: string): AsyncGenerator<Buffer> {
  let current: Buffer[] = [];
  let started = false;
  let previousBlank = true;
  let lineEnding = '\n';
  for await (const line of readLines(path)) {
    const text = line.subarray(0, 5).toString('latin1');
    if (text === 'From ' && previousBlank) {
      if (started) yield finish(current, lineEnding);
      current = [];
      started = true;
      previousBlank = false;
      lineEnding = line.at(-2) === 0x0d ? '\r\n' : '\n';
      continue;
    }
    if (!started) {
      // Not an mbox separator at the top: treat the whole file as one message.
      started = true;
    }
    previousBlank = line.length === 1 || (line.length === 2 && line[0] === 0x0d);
    current.push(/^>+From /.test(line.subarray(0, 64).toString('latin1')) ? line.subarray(1) : line);
  }
  if (started && current.length) yield finish(current, lineEnding);
}

// The blank line before the next "From " belongs to the mbox format, not to the message.
function finish(lines: Buffer[], lineEnding: string): Buffer {
  const last = lines.at(-1);
  if (last && (last.toString('latin1') === lineEnding || last.toString('latin1') === '\n')) lines = lines.slice(0, -1);
  return Buffer.concat(lines);
}

async function* readLines(path: string): AsyncGenerator<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    let buffer = rest.length ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let i = buffer.indexOf(0x0a); i !== -1; i = buffer.indexOf(0x0a, start)) {
      yield buffer.subarray(start, i + 1);
      start = i + 1;
    }
    rest = Buffer.from(buffer.subarray(start));
  }
  if (rest.length) yield rest;
}

/** An mbox file starts with a "From " separator line. */
export function looksLikeMbox(head: Buffer): boolean {
  return head.subarray(0, 5).toString('latin1') === 'From ';
}
