// MAPI property lists as TNEF carries them (attMAPIProps for the message, attAttachment for each
// attachment): a count, then per property its type and id, a name for named properties, and its
// value(s), every value padded to 4 bytes. Only what mailbind reads is kept; everything is bounded by
// the bytes at hand: a declared count or length past the end stops the list, it never allocates.

/** Property types (PT_*) whose values are variable-length byte runs, each with its own length. */
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;
const PT_OBJECT = 0x000d;
const MULTI_VALUED = 0x1000;

/** Byte size of one value of each fixed-size type (before padding to 4). */
const FIXED_SIZE: Record<number, number> = {
  0x0001: 4, // PT_NULL
  0x0002: 2, // PT_SHORT
  0x0003: 4, // PT_LONG
  0x0004: 4, // PT_FLOAT
  0x0005: 8, // PT_DOUBLE
  0x0006: 8, // PT_CURRENCY
  0x0007: 8, // PT_APPTIME
  0x000a: 4, // PT_ERROR
  0x000b: 2, // PT_BOOLEAN
  0x0014: 8, // PT_I8
  0x0040: 8, // PT_SYSTIME
  0x0048: 16, // PT_CLSID
};

export const PropType = { STRING8: PT_STRING8, UNICODE: PT_UNICODE, BINARY: PT_BINARY, OBJECT: PT_OBJECT, LONG: 0x0003 } as const;

export interface MapiProperty {
  /** The property id (PR_BODY is 0x1000); named properties (id ≥ 0x8000) are skipped, not returned. */
  id: number;
  /** The value type without the multi-valued flag. */
  type: number;
  /** The first value's bytes (views into the TNEF data, not copies). */
  value: Buffer;
}

const pad4 = (n: number) => (n + 3) & ~3;

/** The properties of a MAPI property list; a list cut short yields what was complete. */
export function readMapiProperties(data: Buffer): MapiProperty[] {
  const out: MapiProperty[] = [];
  if (data.length < 4) return out;
  const count = data.readUInt32LE(0);
  let at = 4;
  for (let i = 0; i < count && at + 4 <= data.length; i++) {
    const rawType = data.readUInt16LE(at);
    const id = data.readUInt16LE(at + 2);
    at += 4;
    const named = id >= 0x8000;
    if (named) {
      // GUID, then either a numeric id or a UTF-16 name with its byte length.
      if (at + 20 > data.length) break;
      const kind = data.readUInt32LE(at + 16);
      at += 20;
      if (kind === 0) at += 4;
      else {
        if (at + 4 > data.length) break;
        at += 4 + pad4(data.readUInt32LE(at));
      }
    }
    const type = rawType & ~MULTI_VALUED;
    const variable = type === PT_STRING8 || type === PT_UNICODE || type === PT_BINARY || type === PT_OBJECT;
    const multi = (rawType & MULTI_VALUED) !== 0;
    let values = 1;
    if (variable || multi) {
      if (at + 4 > data.length) break;
      values = data.readUInt32LE(at);
      at += 4;
    }
    let first: Buffer | null = null;
    for (let v = 0; v < values && at <= data.length; v++) {
      let size: number;
      if (variable) {
        if (at + 4 > data.length) return out;
        size = data.readUInt32LE(at);
        at += 4;
      } else {
        const fixed = FIXED_SIZE[type];
        if (fixed === undefined) return out; // an unknown type: its size is unknown, the rest unreadable
        size = fixed;
      }
      if (at + size > data.length) return out;
      first ??= data.subarray(at, at + size);
      at += pad4(size);
    }
    if (first && !named) out.push({ id, type, value: first });
  }
  return out;
}
