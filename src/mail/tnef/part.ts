// A TNEF attachment (winmail.dat) met while parsing a message: which parts are one, a bounded copy of
// its bytes taken while they stream to the sink, the files inside it described like any attachment,
// and the body it carries for a message that has none of its own.
import libmime from 'libmime';
import { htmlToReadableText } from '../reply/html-text.js';
import { safeFileName } from '../safe-file-name.js';
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
/**
 * Files taken out of one winmail.dat. Outlook puts a handful in one; a file is ~22 bytes of TNEF at
 * the least, so a hostile 64 MiB one could otherwise make millions of attachment rows. Past the cap
 * the rest stay inside the winmail.dat, which is always kept whole.
 */
export const MAX_TNEF_FILES = 500;

export function tnefFiles(content: TnefContent): TnefFile[] {
  return content.attachments.slice(0, MAX_TNEF_FILES).map((a) => {
    // An embedded Outlook item is itself TNEF; it is kept whole, as a file a TNEF reader opens.
    const contentType = a.embeddedMessage
      ? 'application/ms-tnef'
      : (recordedMimeType(a.contentType) ?? (a.fileName ? libmime.detectMimeType(a.fileName) : null) ?? 'application/octet-stream').toLowerCase();
    return { fileName: safeFileName(a.fileName, contentType), contentType, contentId: recordedContentId(a.contentId), data: a.data };
  });
}

/** RFC 6838 allows 127 characters for a type or a subtype name; no real type comes near either. */
const MIME_TYPE_MAX = 127;
/** A type/subtype of RFC 2045 tokens (no parameters). */
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

/**
 * The MIME type Outlook recorded (PR_ATTACH_MIME_TAG), when it is one: these bytes are the sender's,
 * and they end up in a stored Content-Type. Parameters ("; name=…", which some writers keep) are
 * dropped; anything not shaped type/subtype, or longer than MIME_TYPE_MAX, is ignored and the type
 * comes from the file name, as for any other attachment.
 */
export function recordedMimeType(recorded: string | null): string | null {
  const type = (recorded ?? '').split(';', 1)[0]!.trim();
  return type.length <= MIME_TYPE_MAX && MIME_TYPE.test(type) ? type.toLowerCase() : null;
}

/** Real ones are under 100 characters (Outlook's "image001.png@01DA….…"); a longer one is not kept. */
const CONTENT_ID_MAX = 255;

/** The Content-ID Outlook recorded (PR_ATTACH_CONTENT_ID), when it is one: one visible word, bounded. */
export function recordedContentId(recorded: string | null): string | null {
  const id = (recorded ?? '').trim();
  return id.length > 0 && id.length <= CONTENT_ID_MAX && !/[\s\u0000-\u001f\u007f]/u.test(id) ? id : null;
}

export interface TnefMessageBody {
  text: string;
  html: string | null;
  /** The stream had neither plain text nor RTF: `text` was made from `html` (Message.textFromHtml). */
  textFromHtml: boolean;
}

/**
 * The message body a TNEF stream carries: plain text if it has some, else text from its RTF, else
 * from its HTML; the HTML alongside when there is one. Null when it carries no body at all.
 * Text from HTML is made by the converter reply splitting uses for HTML-only mail, so a body reads
 * the same whether its HTML came in a MIME part or inside a winmail.dat.
 */
export function tnefBody(body: TnefBody): TnefMessageBody | null {
  const rtf = body.text?.trim() || !body.compressedRtf ? null : decompressRtf(body.compressedRtf);
  const ownText = body.text?.trim() ? body.text : rtf ? rtfToText(rtf) : '';
  const fromHtml = !ownText.trim() && body.html !== null;
  const text = fromHtml ? htmlToReadableText(body.html!) : ownText;
  if (!text.trim() && !body.html) return null;
  return { text, html: body.html, textFromHtml: fromHtml };
}
