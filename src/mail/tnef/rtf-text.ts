// Plain text from RTF, for a TNEF message whose only body is Outlook's RTF. One pass over the input
// with bounded steps (control words and hex escapes have a fixed maximum length), so the time is linear
// in the RTF's size. It keeps the words and paragraph breaks and drops formatting, tables of fonts,
// colours and styles, pictures, embedded objects, field instructions and every `{\*…}` destination
// (in RTF that wraps HTML, `{\*\htmltag…}` holds the tags: the text between them is kept).
import { decode as decodeCharset } from 'libmime/lib/charset.js';
import { charsetOfCodepage } from './codepage.js';
import { tidyLines } from './tidy.js';

/** Destinations whose content is not text a reader sees. */
const SKIPPED = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'info', 'pict', 'object', 'objdata', 'header', 'headerl', 'headerr', 'headerf',
  'footer', 'footerl', 'footerr', 'footerf', 'footnote', 'fldinst', 'xe', 'tc', 'themedata', 'colorschememapping',
  'latentstyles', 'datastore', 'listtable', 'listoverridetable', 'rsidtbl', 'generator', 'xmlnstbl', 'mmathPr',
  'pntext', 'pntxta', 'pntxtb', 'nonshppict', 'shpinst', 'filetbl', 'revtbl', 'userprops', 'wgrffmtfilter',
  'pgdsctbl', 'defchp', 'defpap', 'bkmkstart', 'bkmkend',
]);

const SYMBOLS: Record<string, string> = {
  par: '\n', line: '\n', sect: '\n', page: '\n', row: '\n', cell: '\t', tab: '\t',
  emdash: '\u2014', endash: '\u2013', bullet: '\u2022', lquote: '\u2018', rquote: '\u2019',
  ldblquote: '\u201c', rdblquote: '\u201d', emspace: '\u2003', enspace: '\u2002', qmspace: '\u2005',
};

/** A control word: letters (at most 32), an optional signed number, an optional space delimiter. */
const CONTROL_WORD = /([a-zA-Z]{1,32})(-?\d{1,10})? ?/y;
const MAX_DEPTH = 1000;

interface Group {
  skip: boolean;
  /** Characters of ANSI fallback after a \u escape (\ucN). */
  uc: number;
}

export function rtfToText(rtf: Buffer): string {
  const source = rtf.toString('latin1');
  let charset = 'windows-1252';
  const out: string[] = [];
  let bytes: number[] = [];
  const flushBytes = () => {
    if (bytes.length === 0) return;
    out.push(decodeCharset(Buffer.from(bytes), charset));
    bytes = [];
  };
  const emit = (text: string) => {
    flushBytes();
    out.push(text);
  };
  const stack: Group[] = [];
  let group: Group = { skip: false, uc: 1 };
  /** ANSI fallback characters still to drop after a \u escape. */
  let fallback = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '{') {
      if (stack.length < MAX_DEPTH) stack.push(group);
      group = { ...group };
      fallback = 0;
      i++;
    } else if (ch === '}') {
      group = stack.pop() ?? group;
      fallback = 0;
      i++;
    } else if (ch === '\r' || ch === '\n') {
      i++;
    } else if (ch !== '\\') {
      i++;
      if (fallback > 0) fallback--;
      else if (!group.skip) bytes.push(ch.charCodeAt(0));
    } else {
      const next = source[i + 1];
      if (next === undefined) break;
      if (next === '\\' || next === '{' || next === '}') {
        i += 2;
        if (fallback > 0) fallback--;
        else if (!group.skip) bytes.push(next.charCodeAt(0));
      } else if (next === "'") {
        const hex = source.slice(i + 2, i + 4);
        i += 4;
        if (fallback > 0) fallback--;
        else if (!group.skip && /^[0-9a-fA-F]{2}$/.test(hex)) bytes.push(parseInt(hex, 16));
      } else if (next === '*') {
        group.skip = true;
        i += 2;
      } else if (next === '~') {
        i += 2;
        if (!group.skip) emit('\u00a0');
      } else if (next === '_') {
        i += 2;
        if (!group.skip) emit('\u2011');
      } else if (next === '\r' || next === '\n') {
        // An escaped line break is a paragraph break.
        i += 2;
        if (!group.skip) emit('\n');
      } else {
        CONTROL_WORD.lastIndex = i + 1;
        const match = CONTROL_WORD.exec(source);
        if (!match) {
          i += 2; // a control symbol we do not know
          continue;
        }
        i = CONTROL_WORD.lastIndex;
        const word = match[1]!;
        const param = match[2] === undefined ? null : Number(match[2]);
        if (word === 'ansicpg' && param !== null) charset = charsetOfCodepage(param);
        else if (word === 'uc' && param !== null) group.uc = Math.max(0, Math.min(param, 10));
        else if (word === 'u' && param !== null) {
          if (!group.skip) emit(String.fromCharCode(param < 0 ? param + 65536 : param));
          fallback = group.uc;
        } else if (SKIPPED.has(word)) group.skip = true;
        else if (!group.skip && SYMBOLS[word] !== undefined) emit(SYMBOLS[word]!);
      }
    }
  }
  flushBytes();
  return tidyLines(out.join(''));
}

