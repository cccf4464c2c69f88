// Attachment names come from the sender and end up in URLs, Content-Disposition headers of downloads,
// and possibly on someone's disk. Make them boring: one path component, printable, portable.
import libmime from 'libmime';

/** Longest name kept, in UTF-8 bytes: below every common file system limit (255) with room to spare. */
export const MAX_FILE_NAME_BYTES = 200;
/** A "suffix" longer than this is not an extension worth keeping when a long name is cut. */
const MAX_EXTENSION_BYTES = 20;

// C0/C1 controls, and the invisible formatting characters used to disguise names
// ("invoice\u202Efdp.exe" displays as "invoiceexe.pdf").
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
// Characters Windows refuses in names; ':' would also name an NTFS alternate data stream.
const RESERVED = /[<>:"|?*]/g;
// Device names Windows resolves regardless of extension ("con.txt" is the console).
const WINDOWS_DEVICE = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\.|$)/i;

/**
 * A file name safe to store and offer for download: no directories, no control or formatting
 * characters, no leading dots, none of `<>:"|?*`, at most 200 UTF-8 bytes (the extension is kept
 * when cutting). Never empty: falls back to `attachment.<ext>` with the extension guessed from the
 * content type (`attachment.bin` when unknown).
 */
export function safeFileName(name: string | null | undefined, contentType = 'application/octet-stream'): string {
  let s = (name ?? '').normalize('NFC');
  // Keep only the last path component, whichever separator the sender's system used.
  s = s.split(/[\\/]/).pop() ?? '';
  s = s.replace(INVISIBLE, '').replace(RESERVED, '');
  // Leading dots hide files (".htaccess") and ".." escapes; trailing dots and spaces are dropped
  // silently by Windows, so two different names would collide there.
  s = s.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
  if (WINDOWS_DEVICE.test(s)) s = `_${s}`;
  if (s === '') return `attachment.${fallbackExtension(contentType)}`;
  return capBytes(s, MAX_FILE_NAME_BYTES);
}

function fallbackExtension(contentType: string): string {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'message/rfc822' || type === 'message/global') return 'eml';
  const known = libmime.detectExtension(type);
  if (known && known !== 'bin') return known;
  // Text the type table does not know (text/rfc822-headers, DSN and MDN reports) is still
  // readable as text; offering it as .bin would hide that.
  if (type.startsWith('text/') || /^message\/(?:delivery-status|disposition-notification|feedback-report|global-headers)$/.test(type)) return 'txt';
  return 'bin';
}

/** Cut `name` to `max` UTF-8 bytes on a code point boundary, keeping a short extension intact. */
function capBytes(name: string, max: number): string {
  if (Buffer.byteLength(name) <= max) return name;
  const dot = name.lastIndexOf('.');
  let ext = dot > 0 ? name.slice(dot) : '';
  if (Buffer.byteLength(ext) > MAX_EXTENSION_BYTES) ext = '';
  const stem = ext ? name.slice(0, dot) : name;
  const budget = max - Buffer.byteLength(ext);
  let kept = '';
  let used = 0;
  for (const ch of stem) {
    const size = Buffer.byteLength(ch);
    if (used + size > budget) break;
    kept += ch;
    used += size;
  }
  kept = kept.replace(/[\s.]+$/, '');
  return kept + ext;
}
