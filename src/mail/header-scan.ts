// Reads a few header fields from the start of raw bytes without a full MIME parse. Intake uses it to
// key and label a message (Message-ID, Subject, From) before, or instead of, parsing it: an oversized
// or unparseable message still shows who sent what.
import { createHash } from 'node:crypto';
import { indexable } from './indexable.js';

/**
 * How much of a header block is read: here, and by the sources, which keep no more than this of the header
 * of a message over the size limit (a header has no size limit of its own, so one can be most of a message).
 */
export const MAX_HEADER_BYTES = 256 * 1024;

/**
 * Header fields by lowercase name (first occurrence), unfolded; values left encoded as written. Only the
 * header block (at most the first 256 KiB) becomes a string, not the body: intake scans every message it
 * stores, and a value kept from the block (a Subject) keeps the whole string it was cut from alive.
 */
export function scanHeaders(raw: Buffer): Map<string, string> {
  const head = raw.subarray(0, MAX_HEADER_BYTES);
  const block = head.toString('latin1', 0, headerEnd(head));
  const fields = new Map<string, string>();
  let name = '';
  let value = '';
  const flush = () => {
    if (name && !fields.has(name)) fields.set(name, value.trim());
  };
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (/^[ \t]/.test(line) && name) {
      value += ' ' + line.trim();
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon <= 0) {
      name = '';
      continue;
    }
    name = line.slice(0, colon).trim().toLowerCase();
    value = line.slice(colon + 1);
  }
  flush();
  return fields;
}

/**
 * Where the header block ends: the first blank line (the first `\r?\n\r?\n` or `\r\r`), else the end.
 * One pass over the bytes, which stops there.
 */
function headerEnd(head: Buffer): number {
  const CR = 13;
  const LF = 10;
  for (let i = 0; i < head.length; i++) {
    const c = head[i];
    if (c === CR) {
      if (head[i + 1] === CR) return i;
      if (head[i + 1] === LF && (head[i + 2] === LF || (head[i + 2] === CR && head[i + 3] === LF))) return i;
    } else if (c === LF) {
      if (head[i + 1] === LF || (head[i + 1] === CR && head[i + 2] === LF)) return i;
    }
  }
  return head.length;
}

/** The Message-ID without angle brackets, or null when absent or empty. */
export function scanMessageId(raw: Buffer): string | null {
  return messageIdOf(scanHeaders(raw));
}

/** scanMessageId of headers already scanned. */
export function messageIdOf(headers: Map<string, string>): string | null {
  const value = headers.get('message-id');
  if (!value) return null;
  const match = /<([^<>]+)>/.exec(value);
  const id = (match ? match[1]! : value).trim();
  return id || null;
}

export function sha256(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/**
 * Origin key for pushed and imported mail: the same bytes under the same Message-ID are one message.
 * The key is indexed, so the Message-ID in it is bounded like the column's (indexable.ts).
 */
export function contentOriginKey(messageId: string | null, sha256Hex: string): string {
  return `mid:${messageId === null ? '' : indexable(messageId)}:sha256:${sha256Hex}`;
}

/**
 * Whether bytes start like a message: a header field ("Name: value", or RFC 822's obsolete "Name :"),
 * or an mbox "From " line; a UTF-8 byte order mark before it (some Windows tools write one) is allowed.
 */
export function looksLikeMessage(head: Buffer): boolean {
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const firstLine = head.subarray(bom, 4096).toString('latin1').split(/\r?\n|\r/, 1)[0] ?? '';
  return /^[!-9;-~]+[ \t]*:/.test(firstLine) || firstLine.startsWith('From ');
}
