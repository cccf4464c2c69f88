// The header block of the message a delivery report returns (its message/rfc822 or text/rfc822-headers
// part). mailparser keeps that part whole, as an .eml attachment whose bytes go to the sink; parse.ts
// lets the first few KB of it be copied on the way, and this file reads the header fields out of them.
// Only the start is ever kept: what a bounce is linked by (Message-ID, To) is in the header block, and
// a returned message can be as large as any attachment.
import type { Header } from './message.js';

/** How many bytes of a returned message are kept for its headers: a header block is rarely past a few KB. */
export const MAX_RETURNED_HEADER_BYTES = 16 * 1024;
/** A header value longer than this is cut: a Message-ID or an address never needs more. */
const MAX_VALUE_CHARS = 2000;

/** The content types of a report's part that returns the original message, or its headers only. */
export function isReturnedMessagePart(contentType: string): boolean {
  const type = contentType.trim().toLowerCase();
  return type === 'message/rfc822' || type === 'text/rfc822-headers' || type === 'message/global' || type === 'message/global-headers';
}

/** Keeps the first `limit` bytes of a stream it is shown chunk by chunk (and drops the rest). */
export class HeadCopy {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number = MAX_RETURNED_HEADER_BYTES) {}

  readonly add = (chunk: Buffer): void => {
    if (this.size >= this.limit) return;
    const part = chunk.subarray(0, this.limit - this.size);
    this.chunks.push(part);
    this.size += part.length;
  };

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

/**
 * The header fields at the start of `head` (up to the first empty line, or its end when cut short),
 * unfolded, in order; names lowercase, values as written (encoded words not decoded: the fields read
 * here are Message-IDs and addresses). Line by line: linear in the bytes kept.
 */
export function readReturnedHeaders(head: Buffer): Header[] {
  const text = head.subarray(0, MAX_RETURNED_HEADER_BYTES).toString('utf8');
  const headers: Header[] = [];
  let current: Header | null = null;
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (line.trim() === '') {
      // Some MTAs put an empty line before the returned headers; after the first field it ends the block.
      if (current !== null || headers.length > 0) break;
      continue;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && current !== null) {
      if (current.value.length < MAX_VALUE_CHARS) current.value = `${current.value} ${line.trim()}`.slice(0, MAX_VALUE_CHARS);
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    // Not a header field (RFC 5322 field names are printable ASCII): the block was not headers after all.
    if (!/^[!-9;-~]+$/.test(name)) break;
    current = { name, value: line.slice(colon + 1).trim().slice(0, MAX_VALUE_CHARS) };
    headers.push(current);
  }
  return headers;
}
