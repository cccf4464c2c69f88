// MAPI property lists as TNEF carries them (attMAPIProps for the message, attAttachment for each
// attachment): a count, then per property its type and id, a name for named properties, and its
// value(s), every value padded to 4 bytes. Only what mailbind reads is kept; everything is bounded by
// the bytes at hand: every length is compared with the bytes left before it is skipped, a count is
// never taken above what the bytes left can hold, and the reader only moves forward, so the work is
// linear in the list's size whatever it declares. A length or count past the end stops the list; it
// never allocates.

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

/**
 * A length rounded up to a multiple of 4, in ordinary arithmetic: a declared length is a 32-bit
 * unsigned number, and `(n + 3) & ~3` turns one above 2^31 negative (which once moved the reader back).
 */
const padded = (length: number) => length + ((4 - (length % 4)) % 4);

/** Whether `length` bytes start at `at` inside the data (compared as the bytes left, never as a sum). */
const fits = (data: Buffer, at: number, length: number) => length <= data.length - at;

/** How many items of at least 4 bytes the data can hold after `at`: the most any declared count can be. */
const room = (data: Buffer, at: number) => Math.max(0, Math.floor((data.length - at) / 4));

/** The properties of a MAPI property list; a list cut short yields what was complete. */
export function readMapiProperties(data: Buffer): MapiProperty[] {
  const out: MapiProperty[] = [];
  if (data.length < 4) return out;
  // Every property takes at least 4 bytes, so a larger count is a lie; the bytes decide.
  const count = Math.min(data.readUInt32LE(0), room(data, 4));
  let at = 4;
  for (let i = 0; i < count; i++) {
    const read = readProperty(data, at);
    // The reader only moves forward: a property that would not advance it ends the list.
    if (!read || read.end <= at) break;
    if (read.property) out.push(read.property);
    at = read.end;
  }
  return out;
}

/** One property starting at `start` and where the next one starts; null when it does not fit. */
function readProperty(data: Buffer, start: number): { property: MapiProperty | null; end: number } | null {
  let at = start;
  if (!fits(data, at, 4)) return null;
  const rawType = data.readUInt16LE(at);
  const id = data.readUInt16LE(at + 2);
  at += 4;
  const named = id >= 0x8000;
  if (named) {
    // GUID, then either a numeric id or a UTF-16 name with its byte length.
    if (!fits(data, at, 24)) return null;
    const kind = data.readUInt32LE(at + 16);
    at += 20;
    if (kind === 0) at += 4;
    else {
      const nameLength = data.readUInt32LE(at);
      at += 4;
      if (!fits(data, at, nameLength)) return null;
      at += padded(nameLength);
    }
  }
  const type = rawType & ~MULTI_VALUED;
  const variable = type === PT_STRING8 || type === PT_UNICODE || type === PT_BINARY || type === PT_OBJECT;
  const multi = (rawType & MULTI_VALUED) !== 0;
  let values = 1;
  if (variable || multi) {
    if (!fits(data, at, 4)) return null;
    values = data.readUInt32LE(at);
    at += 4;
    // Every value takes at least 4 bytes (its length, or itself padded to 4).
    if (values > room(data, at)) return null;
  }
  let first: Buffer | null = null;
  for (let v = 0; v < values; v++) {
    let size: number;
    if (variable) {
      if (!fits(data, at, 4)) return null;
      size = data.readUInt32LE(at);
      at += 4;
    } else {
      const fixed = FIXED_SIZE[type];
      if (fixed === undefined) return null; // an unknown type: its size is unknown, the rest unreadable
      size = fixed;
    }
    if (!fits(data, at, size)) return null;
    first ??= data.subarray(at, at + size);
    at += padded(size);
  }
  return { property: first && !named ? { id, type, value: first } : null, end: at };
}
