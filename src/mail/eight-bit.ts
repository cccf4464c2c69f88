// Raw 8-bit bytes where MIME expects ASCII (header values, attachment names) carry no charset label.
// One rule for all of them: UTF-8 when the bytes are valid UTF-8 (RFC 6532, and what modern mailers
// send), else the charset the sender declared for the body or part, else Windows-1252 (the superset
// of Latin-1 that old Windows mailers really wrote; Latin-1 would turn its € and dashes into controls).
import { decode as decodeCharset } from 'libmime/lib/charset.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Text from a "binary" string (one char per byte, as mailsplit hands header lines over). Pure ASCII,
 * or a string that already holds characters beyond U+00FF (it is text already), is returned as is.
 */
export function eightBitToText(binary: string, charsetHint?: string | false): string {
  if (!hasEightBitBytes(binary)) return binary;
  const bytes = Buffer.from(binary, 'latin1');
  try {
    return utf8.decode(bytes);
  } catch {
    const hint = (charsetHint || '').toLowerCase().replace(/[^a-z0-9]/g, '');
    const charset = hint && charsetHint && !['utf8', 'usascii', 'ascii'].includes(hint) ? charsetHint : 'windows-1252';
    return decodeCharset(bytes, charset);
  }
}

/** Whether a "binary" string holds raw bytes 0x80–0xFF (and nothing that is already text beyond U+00FF). */
export function hasEightBitBytes(binary: string): boolean {
  return /[\u0080-\u00ff]/.test(binary) && !/[^\u0000-\u00ff]/.test(binary);
}
