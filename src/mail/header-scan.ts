// Reads a few header fields from the start of raw bytes without a full MIME parse. Intake uses it to
// key and label a message (Message-ID, Subject, From) before, or instead of, parsing it: an oversized
// or unparseable message still shows who sent what.
import { createHash } from 'node:crypto';
import { indexable } from './indexable.js';

const MAX_HEADER_BYTES = 256 * 1024;

/** Header fields by lowercase name (first occurrence), unfolded; values left encoded as written. */
export function scanHeaders(raw: Buffer): Map<string, string> {
  const head = raw.subarray(0, MAX_HEADER_BYTES).toString('latin1');
  const end = head.search(/\r?\n\r?\n|\r\r/);
  const block = end >= 0 ? head.slice(0, end) : head;
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

/** The Message-ID without angle brackets, or null when absent or empty. */
export function scanMessageId(raw: Buffer): string | null {
  const value = scanHeaders(raw).get('message-id');
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
