// Windows code page numbers, as TNEF names the charset of its 8-bit strings (attOemCodepage,
// PR_INTERNET_CPID), turned into text. libmime's decoder (iconv-lite) knows most of them as "cpNNNN";
// the few it knows only by name are mapped here.
import { decode as decodeCharset } from 'libmime/lib/charset.js';

const BY_NAME: Record<number, string> = {
  1200: 'utf-16le',
  1201: 'utf-16be',
  10000: 'macintosh',
  20127: 'us-ascii',
  20866: 'koi8-r',
  21866: 'koi8-u',
  50220: 'iso-2022-jp',
  50221: 'iso-2022-jp',
  50222: 'iso-2022-jp',
  51932: 'euc-jp',
  54936: 'gb18030',
  65001: 'utf-8',
};

/** The charset label for a code page; Windows-1252 when there is none (the Outlook default). */
export function charsetOfCodepage(codepage: number | null | undefined): string {
  if (!codepage || codepage <= 0) return 'windows-1252';
  return BY_NAME[codepage] ?? (codepage >= 28591 && codepage <= 28606 ? `iso-8859-${codepage - 28590}` : `cp${codepage}`);
}

/** Bytes in the code page's charset as text, without the C string terminator(s) TNEF often keeps. */
export function decodeCodepage(bytes: Buffer, codepage: number | null | undefined): string {
  return stripNul(decodeCharset(bytes, charsetOfCodepage(codepage)));
}

export function stripNul(text: string): string {
  const end = text.indexOf('\u0000');
  return end === -1 ? text : text.slice(0, end);
}
