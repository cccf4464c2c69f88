// The file name of a MIME part whose Content-Disposition or Content-Type header holds raw 8-bit bytes.
// mailsplit reads such a header as UTF-8 when it can and otherwise byte by byte as Latin-1, so a
// Windows-1252 name lost its € and dashes (C1 controls in Latin-1, then dropped as invisible) and an
// ISO-8859-2 name came out as Latin-1 look-alikes. Here the header is read with the rule every raw
// 8-bit header gets (eight-bit.ts), then parsed the way mailsplit parses it: Content-Disposition
// filename first, else Content-Type name; RFC 2231 parameters (continuations included) decoded by
// libmime as declared, RFC 2047 encoded words decoded once.
import libmime from 'libmime';
import { eightBitToText, hasEightBitBytes } from './eight-bit.js';
import { unfold } from './headers.js';

export interface RawHeaderLine {
  /** Lowercase header name. */
  key: string;
  /** The whole raw line, folding included, one char per byte. */
  line: string;
}

/**
 * The part's file name read from its raw header lines, or null when neither header has raw 8-bit
 * bytes (then mailsplit's own reading is already right) or neither names a file.
 */
export function eightBitFileName(lines: readonly RawHeaderLine[], charsetHint: string | false | undefined): string | null {
  const disposition = lines.find((l) => l.key === 'content-disposition');
  const type = lines.find((l) => l.key === 'content-type');
  if (!(disposition && hasEightBitBytes(disposition.line)) && !(type && hasEightBitBytes(type.line))) return null;
  const parse = (header: RawHeaderLine | undefined) =>
    header ? libmime.parseHeaderValue(eightBitToText(unfold(header.line), charsetHint), { stripComments: true }) : null;
  const parsedDisposition = parse(disposition);
  const parsedType = parse(type);
  const fromDisposition = parsedDisposition?.params['filename'];
  const name = fromDisposition || parsedType?.params['name'];
  if (!name) return null;
  const decoded = fromDisposition ? parsedDisposition!.decodedParams.includes('filename') : parsedType!.decodedParams.includes('name');
  if (decoded) return name;
  try {
    return libmime.decodeWords(name);
  } catch {
    // A malformed encoded word (an unknown charset) is kept as written, as mailsplit does.
    return name;
  }
}
