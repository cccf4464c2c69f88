// One attachment from mailparser's stream into the sink, described as an AttachmentInfo. The body is
// never buffered here: mailparser decodes it chunk by chunk and the sink consumes it as it comes,
// and mailparser only moves on once the caller releases the attachment (parse.ts does that).
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { AttachmentStream } from 'mailparser';
import { AttachmentTooLargeError } from './errors.js';
import type { AttachmentInfo, AttachmentSink } from './message.js';
import { safeFileName } from './safe-file-name.js';

/** The metadata of an attachment, everything but what only the sink can tell (blobRef, size). */
export function describeAttachment(attachment: AttachmentStream): Omit<AttachmentInfo, 'blobRef' | 'size'> {
  const contentType = (attachment.contentType || 'application/octet-stream').trim().toLowerCase();
  const contentId = attachment.cid?.trim() || null;
  return {
    fileName: attachmentFileName(attachment.filename, contentType),
    contentType,
    contentId,
    // Displayed in the body rather than offered as a file: an explicit inline disposition, or a
    // Content-ID inside multipart/related (an image the HTML refers to as cid:).
    inline: attachment.contentDisposition === 'inline' || (attachment.related === true && contentId !== null),
  };
}

/**
 * Streams the attachment body into the sink. With `maxBytes`, the stream handed to the sink fails
 * with AttachmentTooLargeError as soon as the limit is passed, so an oversized file is never
 * written out completely (the sink is expected to discard what it got on a stream error).
 * `observe` sees every chunk on its way to the sink (parse.ts keeps a copy of a winmail.dat).
 */
export async function saveAttachment(
  attachment: AttachmentStream,
  sink: AttachmentSink,
  maxBytes?: number,
  observe?: (chunk: Buffer) => void,
): Promise<AttachmentInfo> {
  const info = describeAttachment(attachment);
  // parse.ts destroys the content stream with an error when the parse fails midway; a sink that
  // already stopped listening must not turn that into an uncaught exception.
  attachment.content.on('error', ignore);
  return saveContent(info, attachment.content, sink, maxBytes, observe);
}

/** Stores bytes found inside an attachment (the files of a winmail.dat) like any attachment. */
export function saveFile(info: Omit<AttachmentInfo, 'blobRef' | 'size'>, data: Buffer, sink: AttachmentSink, maxBytes?: number): Promise<AttachmentInfo> {
  return saveContent(info, Readable.from([data]), sink, maxBytes);
}

async function saveContent(
  info: Omit<AttachmentInfo, 'blobRef' | 'size'>,
  content: Readable,
  sink: AttachmentSink,
  maxBytes: number | undefined,
  observe?: (chunk: Buffer) => void,
): Promise<AttachmentInfo> {
  if (maxBytes === undefined && !observe) {
    const { ref, size } = await sink.save(content);
    return { ...info, blobRef: ref, size };
  }
  const limit = limited(content, info.fileName, maxBytes ?? Infinity, observe);
  try {
    const { ref, size } = await sink.save(limit.stream);
    return { ...info, blobRef: ref, size };
  } catch (err) {
    // Whatever the sink made of the stream error, the cause was the limit.
    throw limit.tripped() ?? err;
  }
}

function attachmentFileName(name: string | undefined, contentType: string): string {
  const safe = safeFileName(name, contentType);
  // An embedded message is stored as a file of its own; give it the extension mail clients open.
  if (contentType === 'message/rfc822' && !/\.eml$/i.test(safe)) return safeFileName(`${safe}.eml`, contentType);
  return safe;
}

function limited(source: Readable, fileName: string, maxBytes: number, observe?: (chunk: Buffer) => void) {
  let seen = 0;
  let tripped: AttachmentTooLargeError | null = null;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      seen += chunk.length;
      observe?.(chunk);
      if (seen <= maxBytes) return done(null, chunk);
      tripped = new AttachmentTooLargeError(fileName, maxBytes);
      done(tripped);
    },
  });
  stream.on('error', ignore);
  source.on('error', (err) => stream.destroy(err));
  source.pipe(stream);
  return { stream, tripped: () => tripped };
}

function ignore(): void {
  // The error reaches the sink through its own listeners; this one only prevents a crash.
}
