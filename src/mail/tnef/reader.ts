// Reads a TNEF stream (winmail.dat, application/ms-tnef: what Outlook and Exchange send when they
// wrap a rich message for other mail programs): the files inside it and the message body. The format
// (MS-OXTNEF) is a signature, then attribute records of level, id, length, data and checksum; an
// attachment starts with attAttachRendData, has its name in attAttachTitle or its MAPI properties and
// its bytes in attAttachData; the body is in the message's MAPI properties (plain, HTML or compressed
// RTF) or, in old writers, attBody.
//
// Every length is checked against the bytes at hand: a truncated or lying stream yields what was
// complete and never makes this allocate. File contents are views into the input, not copies.
import { decodeCodepage, stripNul } from './codepage.js';
import { PropType, readMapiProperties, type MapiProperty } from './mapi.js';

export const TNEF_SIGNATURE = 0x223e9f78;

const LEVEL_MESSAGE = 1;
const LEVEL_ATTACHMENT = 2;

// Attribute ids (the low 16 bits of the attribute tag).
const ATT_BODY = 0x800c;
const ATT_ATTACH_DATA = 0x800f;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_REND_DATA = 0x9002;
const ATT_MAPI_PROPS = 0x9003;
const ATT_ATTACHMENT = 0x9005;
const ATT_OEM_CODEPAGE = 0x9007;

// MAPI property ids.
const PR_BODY = 0x1000;
const PR_RTF_COMPRESSED = 0x1009;
const PR_HTML = 0x1013;
const PR_INTERNET_CPID = 0x3fde;
const PR_DISPLAY_NAME = 0x3001;
const PR_ATTACH_DATA = 0x3701;
const PR_ATTACH_FILENAME = 0x3704;
const PR_ATTACH_METHOD = 0x3705;
const PR_ATTACH_LONG_FILENAME = 0x3707;
const PR_ATTACH_MIME_TAG = 0x370e;
const PR_ATTACH_CONTENT_ID = 0x3712;
const ATTACH_EMBEDDED_MSG = 5;

export interface TnefAttachment {
  /** Long file name, else the short (8.3) one, else the title or display name; null when none. */
  fileName: string | null;
  /** The MIME type Outlook recorded (PR_ATTACH_MIME_TAG), if any. */
  contentType: string | null;
  contentId: string | null;
  /** An embedded Outlook item (a message, a task): its bytes are a TNEF stream of their own. */
  embeddedMessage: boolean;
  data: Buffer;
}

export interface TnefBody {
  /** Plain text (PR_BODY or attBody). */
  text: string | null;
  /** HTML (PR_HTML), decoded with the message's code page. */
  html: string | null;
  /** PR_RTF_COMPRESSED as stored; decompress with rtf-decompress.ts only when it is needed. */
  compressedRtf: Buffer | null;
}

export interface TnefContent {
  attachments: TnefAttachment[];
  body: TnefBody;
}

interface Attribute {
  level: number;
  id: number;
  data: Buffer;
}

export function isTnef(data: Buffer): boolean {
  return data.length >= 6 && data.readUInt32LE(0) === TNEF_SIGNATURE;
}

/** The content of a TNEF stream, or null when the bytes do not start with the TNEF signature. */
export function readTnef(data: Buffer): TnefContent | null {
  if (!isTnef(data)) return null;
  let codepage: number | null = null;
  const messageProps: MapiProperty[] = [];
  let attBody: Buffer | null = null;
  const pending: { title: Buffer | null; data: Buffer | null; props: MapiProperty[] }[] = [];

  for (const attribute of attributes(data)) {
    const current = pending.at(-1);
    if (attribute.id === ATT_OEM_CODEPAGE && attribute.data.length >= 4) codepage = attribute.data.readUInt32LE(0);
    else if (attribute.id === ATT_ATTACH_REND_DATA) pending.push({ title: null, data: null, props: [] });
    else if (attribute.level === LEVEL_ATTACHMENT && current) {
      if (attribute.id === ATT_ATTACH_TITLE) current.title = attribute.data;
      else if (attribute.id === ATT_ATTACH_DATA) current.data = attribute.data;
      else if (attribute.id === ATT_ATTACHMENT) appendAll(current.props, readMapiProperties(attribute.data));
    } else if (attribute.level === LEVEL_MESSAGE) {
      if (attribute.id === ATT_MAPI_PROPS) appendAll(messageProps, readMapiProperties(attribute.data));
      else if (attribute.id === ATT_BODY) attBody = attribute.data;
    }
  }

  const cpid = numberProp(messageProps, PR_INTERNET_CPID);
  const strings = (prop: MapiProperty | undefined) => (prop ? propText(prop, codepage) : null);
  const attachments: TnefAttachment[] = [];
  for (const a of pending) {
    const method = numberProp(a.props, PR_ATTACH_METHOD);
    const embedded = method === ATTACH_EMBEDDED_MSG;
    const objectData = find(a.props, PR_ATTACH_DATA);
    // An embedded item's bytes are a PT_OBJECT: a 16-byte interface id, then the item as TNEF.
    const content = embedded && objectData ? objectData.value.subarray(objectData.type === PropType.OBJECT ? 16 : 0) : a.data ?? objectData?.value ?? null;
    if (!content) continue;
    const title = a.title ? decodeCodepage(a.title, codepage) : null;
    attachments.push({
      fileName: nonEmpty(strings(find(a.props, PR_ATTACH_LONG_FILENAME))) ?? nonEmpty(strings(find(a.props, PR_ATTACH_FILENAME))) ?? nonEmpty(title) ?? nonEmpty(strings(find(a.props, PR_DISPLAY_NAME))),
      contentType: nonEmpty(strings(find(a.props, PR_ATTACH_MIME_TAG))),
      contentId: nonEmpty(strings(find(a.props, PR_ATTACH_CONTENT_ID))),
      embeddedMessage: embedded,
      data: content,
    });
  }

  const html = find(messageProps, PR_HTML);
  return {
    attachments,
    body: {
      text: strings(find(messageProps, PR_BODY)) ?? (attBody ? decodeCodepage(attBody, codepage) : null),
      // PR_HTML is usually binary: bytes in the message's Internet code page.
      html: html ? (html.type === PropType.UNICODE ? propText(html, codepage) : decodeCodepage(html.value, cpid ?? codepage)) : null,
      compressedRtf: find(messageProps, PR_RTF_COMPRESSED)?.value ?? null,
    },
  };
}

/** The attribute records after the signature and key; stops at the first one that does not fit. */
function* attributes(data: Buffer): Generator<Attribute> {
  let at = 6;
  // level (1) + tag (4) + length (4) + data + checksum (2)
  while (at + 9 <= data.length) {
    const level = data.readUInt8(at);
    const id = data.readUInt16LE(at + 1);
    const length = data.readUInt32LE(at + 5);
    const start = at + 9;
    if (length > data.length - start) return;
    yield { level, id, data: data.subarray(start, start + length) };
    at = start + length + 2;
  }
}

/** push(...items) passes every item as an argument: a list of a million properties would overflow the stack. */
function appendAll<T>(list: T[], items: readonly T[]): void {
  for (const item of items) list.push(item);
}

function find(props: MapiProperty[], id: number): MapiProperty | undefined {
  return props.find((p) => p.id === id);
}

function numberProp(props: MapiProperty[], id: number): number | null {
  const prop = find(props, id);
  return prop && prop.type === PropType.LONG && prop.value.length >= 4 ? prop.value.readUInt32LE(0) : null;
}

function propText(prop: MapiProperty, codepage: number | null): string {
  if (prop.type === PropType.UNICODE) return stripNul(prop.value.toString('utf16le'));
  return decodeCodepage(prop.value, codepage);
}

function nonEmpty(text: string | null): string | null {
  const trimmed = text?.trim();
  return trimmed ? trimmed : null;
}
