// Splits an mbox file into messages while streaming it: never more than one message in memory.
// A separator is an envelope line: "From ", a sender and an asctime date, as mutt's is_from() accepts
// (envelope-line.ts). The first line of the file, when it is one, opens the first message. After that
// a message starts only at an envelope line that follows a blank line AND is followed by a header
// line: mail bodies often hold an unescaped "From what I saw…" or "From the server log:" after a blank
// line (mboxo writers do not quote it, and many mailers never did), and splitting there invented a
// second message out of half a body. ">From " quoting (mboxrd and mboxo) loses one ">" on the way out.
import { createReadStream } from 'node:fs';
import { isEnvelopeLine } from './envelope-line.js';

/** Lines longer than this are looked at only this far: enough for a header name, bounded per line. */
const PEEK_BYTES = 1000;

export async function* splitMbox(path: string): AsyncGenerator<Buffer> {
  let current: Buffer[] = [];
  let started = false;
  let previousBlank = true;
  let lineEnding = '\n';
  /** An envelope line after a blank line: a separator only if the next line is a header. */
  let candidate: Buffer | null = null;

  const startMessage = (fromLine: Buffer) => {
    current = [];
    started = true;
    previousBlank = false;
    lineEnding = fromLine.at(-2) === 0x0d ? '\r\n' : '\n';
  };
  const addBodyLine = (line: Buffer) => {
    started = true;
    previousBlank = isBlank(line);
    current.push(/^>+From /.test(peek(line)) ? line.subarray(1) : line);
  };

  for await (const line of readLines(path)) {
    if (candidate) {
      const fromLine = candidate;
      candidate = null;
      if (isHeaderLine(line)) {
        yield finish(current, lineEnding);
        startMessage(fromLine);
      } else addBodyLine(fromLine);
    } else if (isEnvelope(line) && !started) {
      // The very first line of the file: the mbox's own separator.
      startMessage(line);
      continue;
    } else if (isEnvelope(line) && previousBlank) {
      candidate = line;
      continue;
    }
    addBodyLine(line);
  }
  // A "From " line as the last line of the file has no header after it: it is body text.
  if (candidate) addBodyLine(candidate);
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

function peek(line: Buffer): string {
  return line.subarray(0, PEEK_BYTES).toString('latin1');
}

function isEnvelope(line: Buffer): boolean {
  return isEnvelopeLine(peek(line));
}

function isBlank(line: Buffer): boolean {
  return line.length === 1 || (line.length === 2 && line[0] === 0x0d);
}

/** "Name: value" (or RFC 822's obsolete "Name :"), as a message's header block starts. */
function isHeaderLine(line: Buffer): boolean {
  return /^[!-9;-~]+[ \t]*:/.test(peek(line));
}

/**
 * Whether a file is shaped like an mbox: its first line is an envelope line (the separator rule above)
 * and the line right after it is a header. A file that merely starts with the word "From" is a
 * message, not an mbox.
 */
export function looksLikeMbox(head: Buffer): boolean {
  const [first, second] = head.subarray(0, 2 * PEEK_BYTES).toString('latin1').split(/\r?\n/, 2);
  return first !== undefined && second !== undefined && isEnvelopeLine(first) && /^[!-9;-~]+[ \t]*:/.test(second);
}
