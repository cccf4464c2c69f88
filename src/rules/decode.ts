// Rule text from bytes. Rules are UTF-8; a byte that is not becomes an error at that byte, located the way
// rule errors are, instead of a U+FFFD that would quietly change a keyword.

export type DecodeResult =
  | { ok: true; text: string }
  | {
      ok: false;
      error: {
        /** 1-based, counting CRLF, CR and LF as the parser does */
        line: number;
        /** 1-based, in UTF-16 code units of the valid text before the byte on its line (as Span) */
        column: number;
        /** 0-based byte offset of the first byte of the ill-formed sequence in the input */
        offset: number;
        byte: number;
        message: string;
      };
    };

const strict = new TextDecoder('utf-8', { fatal: true });
// Only ever given valid bytes; it drops a leading BOM exactly as `strict` does.
const lenient = new TextDecoder('utf-8');

/** UTF-8 bytes to text; a UTF-8 byte order mark at the start is accepted and dropped. */
export function decodeRuleText(bytes: Uint8Array): DecodeResult {
  try {
    return { ok: true, text: strict.decode(bytes) };
  } catch (error) {
    const offset = firstInvalidByte(bytes);
    if (offset === bytes.length) throw error; // the scan and the decoder disagree: a bug here, not in the file
    const before = lenient.decode(bytes.subarray(0, offset));
    const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
    const line = 1 + (before.match(/\r\n|\r|\n/g)?.length ?? 0);
    const column = before.length - lineStart + 1;
    const byte = bytes[offset]!;
    const hex = byte.toString(16).toUpperCase().padStart(2, '0');
    return {
      ok: false,
      error: {
        line,
        column,
        offset,
        byte,
        message: `the file is not valid UTF-8 (byte 0x${hex} at offset ${offset}); save it as UTF-8`,
      },
    };
  }
}

/**
 * The offset where the first ill-formed sequence starts, by the rules TextDecoder follows (WHATWG
 * Encoding, which rejects overlong forms, surrogates and code points past U+10FFFF by the second byte).
 * A truncated sequence at the end counts; `bytes.length` when there is none.
 */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0; // overlong
      if (lead === 0xed) high = 0x9f; // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90; // overlong
      if (lead === 0xf4) high = 0x8f; // past U+10FFFF
    } else {
      return i; // a continuation byte, an overlong lead (C0, C1) or F5..FF
    }
    for (let k = 1; k < length; k++) {
      const b = bytes[i + k];
      if (b === undefined || b < low || b > high) return i;
      low = 0x80;
      high = 0xbf;
    }
    i += length;
  }
  return bytes.length;
}
