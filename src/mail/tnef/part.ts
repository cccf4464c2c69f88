// A TNEF attachment (winmail.dat) met while parsing a message: which parts are one, a bounded copy of
// its bytes taken while they stream to the sink, the files inside it described like any attachment,
// and the body it carries for a message that has none of its own.
import libmime from 'libmime';
import { safeFileName } from '../safe-file-name.js';
import { htmlToText } from './html-text.js';
import type { TnefBody, TnefContent } from './reader.js';
import { decompressRtf } from './rtf-decompress.js';
import { rtfToText } from './rtf-text.js';

/**
 * The largest winmail.dat decoded (it is held in memory to be read); a larger one is kept as an
 * opaque attachment. Well above what mail servers let through (Exchange's default is 25-35 MB).
 */
export const MAX_TNEF_BYTES = 64 * 1024 * 1024;

export function isTnefPart(contentType: string | undefined, fileName: string | undefined): boolean {
  const type = (contentType ?? '').trim().toLowerCase();
  return type === 'application/ms-tnef' || type === 'application/vnd.ms-tnef' || /^winmail\.dat$/i.test((fileName ?? '').trim());
}

/** The bytes of a stream as they pass, up to a limit; past it, nothing (and what was kept is freed). */
export class ByteCopy {
  private chunks: Buffer[] = [];
  private size = 0;
  private overflow = false;

  constructor(private readonly limit: number) {}

  readonly add = (chunk: Buffer): void => {
    if (this.overflow) return;
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.overflow = true;
      this.chunks = [];
      return;
    }
    this.chunks.push(chunk);
  };

  /** All the bytes, or null when there were more than the limit. */
  bytes(): Buffer | null {
    return this.overflow ? null : Buffer.concat(this.chunks, this.size);
  }
}

export interface TnefFile {
  fileName: string;
  contentType: string;
  contentId: string | null;
  data: Buffer;
}

/** The files inside, with safe names and a content type (recorded, else guessed from the name). */
export function tnefFiles(content: TnefContent): TnefFile[] {
  return content.attachments.map((a) => {
    // An embedded Outlook item is itself TNEF; it is kept whole, as a file a TNEF reader opens.
    const contentType = a.embeddedMessage
      ? 'application/ms-tnef'
      : (a.contentType ?? (a.fileName ? libmime.detectMimeType(a.fileName) : null) ?? 'application/octet-stream').toLowerCase();
    return { fileName: safeFileName(a.fileName, contentType), contentType, contentId: a.contentId, data: a.data };
  });
}

/**
 * The message body a TNEF stream carries: plain text if it has some, else text from its RTF, else
 * from its HTML; the HTML alongside when there is one. Null when it carries no body at all.
 */
export function tnefBody(body: TnefBody): { text: string; html: string | null } | null {
  const rtf = body.text?.trim() || !body.compressedRtf ? null : decompressRtf(body.compressedRtf);
  const text = body.text?.trim() ? body.text : rtf ? rtfToText(rtf) : body.html ? htmlToText(body.html) : '';
  if (!text.trim() && !body.html) return null;
  return { text, html: body.html };
}
