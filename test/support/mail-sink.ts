// An AttachmentSink for tests: consumes the stream, keeps only its SHA-256 and size (never the bytes),
// and records what it was given.
import { createHash } from 'node:crypto';
import type { AttachmentSink } from '../../src/mail/message.js';

export class HashingSink implements AttachmentSink {
  readonly saved: { ref: string; size: number }[] = [];

  async save(content: NodeJS.ReadableStream): Promise<{ ref: string; size: number }> {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of content as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      hash.update(bytes);
      size += bytes.length;
    }
    const result = { ref: hash.digest('hex'), size };
    this.saved.push(result);
    return result;
  }
}

/** An AttachmentSink that keeps every stored body, for tests that read what was stored. */
export class KeepingSink implements AttachmentSink {
  readonly saved: Buffer[] = [];

  async save(content: NodeJS.ReadableStream): Promise<{ ref: string; size: number }> {
    const chunks: Buffer[] = [];
    for await (const chunk of content as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    const bytes = Buffer.concat(chunks);
    this.saved.push(bytes);
    return { ref: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  }
}
