// PR_RTF_COMPRESSED (MS-OXRTFCP): Outlook's RTF body, LZ77-compressed ("LZFu") or stored ("MELA")
// behind a 16-byte header. The output is bounded three ways, so a lying header cannot make this
// allocate: the declared raw size, 8 times the compressed input (the most LZFu can expand: one control
// byte and 8 references of 2 bytes give at most 8 × 17 bytes from 17), and a fixed ceiling.
const COMPRESSED = 0x75465a4c; // "LZFu"
const UNCOMPRESSED = 0x414c454d; // "MELA"
const HEADER_BYTES = 16;
/** The largest RTF body decompressed; a bigger one is not used as the message text. */
export const MAX_RTF_BYTES = 32 * 1024 * 1024;

// The dictionary starts with these 207 bytes, as every writer's does.
const PRELOAD = Buffer.from(
  '{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx',
  'latin1',
);
const DICTIONARY_SIZE = 4096;

/** The RTF text, or null when the data is not compressed RTF or is larger than MAX_RTF_BYTES. */
export function decompressRtf(data: Buffer): Buffer | null {
  if (data.length < HEADER_BYTES) return null;
  const rawSize = data.readUInt32LE(4);
  const kind = data.readUInt32LE(8);
  const input = data.subarray(HEADER_BYTES);
  if (kind === UNCOMPRESSED) return rawSize <= MAX_RTF_BYTES ? input.subarray(0, rawSize) : null;
  if (kind !== COMPRESSED || rawSize > MAX_RTF_BYTES) return null;
  const out = Buffer.alloc(Math.min(rawSize, input.length * 8));
  const dictionary = Buffer.alloc(DICTIONARY_SIZE);
  PRELOAD.copy(dictionary);
  let write = PRELOAD.length;
  let produced = 0;
  let at = 0;
  while (at < input.length && produced < out.length) {
    const control = input[at++]!;
    for (let bit = 0; bit < 8 && produced < out.length; bit++) {
      if ((control & (1 << bit)) === 0) {
        if (at >= input.length) return out.subarray(0, produced);
        const byte = input[at++]!;
        out[produced++] = byte;
        dictionary[write] = byte;
        write = (write + 1) % DICTIONARY_SIZE;
        continue;
      }
      if (at + 1 >= input.length) return out.subarray(0, produced);
      const reference = input.readUInt16BE(at);
      at += 2;
      const offset = reference >> 4;
      // A reference to the write position itself marks the end of the data.
      if (offset === write) return out.subarray(0, produced);
      const length = (reference & 0x0f) + 2;
      for (let i = 0; i < length && produced < out.length; i++) {
        const byte = dictionary[(offset + i) % DICTIONARY_SIZE]!;
        out[produced++] = byte;
        dictionary[write] = byte;
        write = (write + 1) % DICTIONARY_SIZE;
      }
    }
  }
  return out.subarray(0, produced);
}
