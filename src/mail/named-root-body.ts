// The body of a message that is one named text part (mime-parser.ts notes it): the part is stored as a
// file, exactly as sent, and its bytes are also read here as the message's text or HTML, the way
// mailparser reads an unnamed body part: decoded from its charset (UTF-8 when none; UTF-7 refused, as
// everywhere), line breaks as "\n". HTML gets its text made by the converter HTML mail is read with.
import { decode as decodeCharset } from 'libmime/lib/charset.js';
import type { NamedRootPart } from './mime-parser.js';
import { htmlToReadableText } from './reply/html-text.js';

/**
 * The largest such part read as the body (a copy is held while it streams to the sink); a larger one
 * stays a file only. Far above any message text a person writes.
 */
export const MAX_NAMED_BODY_BYTES = 32 * 1024 * 1024;

export interface NamedBody {
  text: string;
  html: string | null;
  textFromHtml: boolean;
}

export function namedRootBody(bytes: Buffer, part: NamedRootPart): NamedBody {
  const content = decodeCharset(bytes, part.charset ?? 'utf-8').replace(/\r?\n/g, '\n');
  if (part.contentType === 'text/html') return { text: htmlToReadableText(content), html: content, textFromHtml: true };
  return { text: content, html: null, textFromHtml: false };
}
