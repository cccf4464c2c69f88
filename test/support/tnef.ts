// Builds TNEF streams (winmail.dat) for tests, record by record as MS-OXTNEF lays them out, so the
// reader is tested on bodies and attachments the corpus does not have (plain-text and RTF-only bodies,
// code pages, embedded items) and on streams that lie about their lengths.
import { decode } from 'libmime/lib/charset.js';

export interface MapiProp {
  id: number;
  /** PT_* type. */
  type: number;
  value: Buffer;
}

export interface TnefAttachmentSpec {
  /** attAttachTitle bytes (written as given, NUL added). */
  title?: Buffer;
  data?: Buffer;
  props?: MapiProp[];
}

export interface TnefSpec {
  codepage?: number;
  messageProps?: MapiProp[];
  attBody?: Buffer;
  attachments?: TnefAttachmentSpec[];
}

export const PT = { LONG: 0x0003, STRING8: 0x001e, UNICODE: 0x001f, BINARY: 0x0102, OBJECT: 0x000d } as const;
export const PR = {
  BODY: 0x1000,
  RTF_COMPRESSED: 0x1009,
  HTML: 0x1013,
  INTERNET_CPID: 0x3fde,
  DISPLAY_NAME: 0x3001,
  ATTACH_DATA: 0x3701,
  ATTACH_FILENAME: 0x3704,
  ATTACH_METHOD: 0x3705,
  ATTACH_LONG_FILENAME: 0x3707,
  ATTACH_MIME_TAG: 0x370e,
  ATTACH_CONTENT_ID: 0x3712,
} as const;

export const prop = {
  long: (id: number, n: number): MapiProp => ({ id, type: PT.LONG, value: u32(n) }),
  string8: (id: number, bytes: Buffer): MapiProp => ({ id, type: PT.STRING8, value: Buffer.concat([bytes, Buffer.from([0])]) }),
  unicode: (id: number, text: string): MapiProp => ({ id, type: PT.UNICODE, value: Buffer.from(`${text}\u0000`, 'utf16le') }),
  binary: (id: number, bytes: Buffer): MapiProp => ({ id, type: PT.BINARY, value: bytes }),
  object: (id: number, bytes: Buffer): MapiProp => ({ id, type: PT.OBJECT, value: bytes }),
};

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

const pad4 = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);

export function mapiProps(props: MapiProp[]): Buffer {
  const parts = [u32(props.length)];
  for (const p of props) {
    parts.push(u16(p.type), u16(p.id));
    if (p.type === PT.LONG) parts.push(p.value);
    else parts.push(u32(1), u32(p.value.length), pad4(p.value));
  }
  return Buffer.concat(parts);
}

/** One attribute record: level, tag (type << 16 | id), length, data, checksum. */
export function attribute(level: 1 | 2, id: number, data: Buffer, type = 0x0006): Buffer {
  let sum = 0;
  for (const byte of data) sum = (sum + byte) & 0xffff;
  return Buffer.concat([Buffer.from([level]), u32(((type << 16) | id) >>> 0), u32(data.length), data, u16(sum)]);
}

export function buildTnef(spec: TnefSpec): Buffer {
  const records: Buffer[] = [u32(0x223e9f78), u16(0x0001)];
  records.push(attribute(1, 0x9006, u32(0x00010000))); // attTnefVersion
  if (spec.codepage) records.push(attribute(1, 0x9007, Buffer.concat([u32(spec.codepage), u32(0)])));
  if (spec.attBody) records.push(attribute(1, 0x800c, spec.attBody, 0x0002));
  if (spec.messageProps) records.push(attribute(1, 0x9003, mapiProps(spec.messageProps)));
  for (const a of spec.attachments ?? []) {
    records.push(attribute(2, 0x9002, Buffer.alloc(14))); // attAttachRendData: a new attachment
    if (a.title) records.push(attribute(2, 0x8010, Buffer.concat([a.title, Buffer.from([0])]), 0x0001));
    if (a.data) records.push(attribute(2, 0x800f, a.data));
    if (a.props) records.push(attribute(2, 0x9005, mapiProps(a.props)));
  }
  return Buffer.concat(records);
}

/** RTF stored uncompressed ("MELA"), the simplest PR_RTF_COMPRESSED there is. */
export function storedRtf(rtf: string): Buffer {
  const body = Buffer.from(rtf, 'latin1');
  return Buffer.concat([u32(body.length + 12), u32(body.length), u32(0x414c454d), u32(0), body]);
}

/** Text in a legacy charset, as Outlook's 8-bit strings are. */
export function encodeIn(charset: 'windows-1251', text: string): Buffer {
  // Build the byte for each character by searching the charset's 256 code points (test sizes only).
  const table = new Map<string, number>();
  for (let b = 0; b < 256; b++) table.set(decode(Buffer.from([b]), charset), b);
  return Buffer.from([...text].map((ch) => table.get(ch) ?? 0x3f));
}

/** A MIME message whose parts are given as [headers, body]; bodies in base64. */
export function messageWithParts(...parts: { type: string; name?: string; body: Buffer }[]): Buffer {
  const lines = ['From: outlook@example.com', 'Subject: rich text', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="tnef"', ''];
  for (const part of parts) {
    lines.push('--tnef', `Content-Type: ${part.type}${part.name ? `; name="${part.name}"` : ''}`);
    if (part.name) lines.push(`Content-Disposition: attachment; filename="${part.name}"`);
    lines.push('Content-Transfer-Encoding: base64', '', ...(part.body.toString('base64').match(/.{1,76}/g) ?? []));
  }
  lines.push('--tnef--', '');
  return Buffer.from(lines.join('\r\n'));
}
