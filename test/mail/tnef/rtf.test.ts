// Outlook's compressed RTF body and the plain text made from it: the real body of MimeKit's
// rich-text.eml, stored (MELA) RTF, lying headers, and RTF constructs one at a time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMessage } from '../../../src/mail/index.js';
import { readTnef } from '../../../src/mail/tnef/reader.js';
import { decompressRtf, MAX_RTF_BYTES } from '../../../src/mail/tnef/rtf-decompress.js';
import { rtfToText } from '../../../src/mail/tnef/rtf-text.js';
import { corpusFile, corpusSkip } from '../../support/mail-corpus.js';
import { KeepingSink } from '../../support/mail-sink.js';
import { storedRtf, u32 } from '../../support/tnef.js';

const skip = corpusSkip();

test('the LZFu-compressed RTF of a real Outlook message decompresses to its declared size and reads as its text', { skip }, async () => {
  const sink = new KeepingSink();
  await parseMessage(corpusFile('mimekit/tnef/rich-text.eml'), { receivedAt: new Date(), sink });
  const compressed = readTnef(sink.saved[0]!)?.body.compressedRtf;
  assert.ok(compressed);
  const rtf = decompressRtf(compressed);
  assert.equal(rtf?.length, compressed.readUInt32LE(4));
  assert.match(rtf!.subarray(0, 12).toString('latin1'), /^\{\\rtf1\\/);
  const text = rtfToText(rtf!);
  assert.match(text, /^You've made this a Christmas to remember\nSpringtime feeling's in the middle of December\n/);
  assert.match(text, /Oh! What a Christmas to remember$/);
});

test('stored (MELA) RTF is returned as is; an unknown kind or an oversized declaration is refused', () => {
  assert.equal(decompressRtf(storedRtf('{\\rtf1 hi}'))?.toString('latin1'), '{\\rtf1 hi}');
  assert.equal(decompressRtf(Buffer.concat([u32(20), u32(8), u32(0x12345678), u32(0), Buffer.alloc(8)])), null);
  assert.equal(decompressRtf(Buffer.concat([u32(20), u32(MAX_RTF_BYTES + 1), u32(0x75465a4c), u32(0), Buffer.alloc(8)])), null);
  assert.equal(decompressRtf(Buffer.alloc(4)), null);
});

test('a compressed header declaring far more than its input can give allocates at most 8 bytes per input byte', () => {
  // 4 input bytes: a control byte of literals and three of them.
  const out = decompressRtf(Buffer.concat([u32(16), u32(MAX_RTF_BYTES), u32(0x75465a4c), u32(0), Buffer.from([0x00, 0x61, 0x62, 0x63])]));
  assert.equal(out?.toString('latin1'), 'abc');
  assert.equal(out!.buffer.byteLength, 8 * 4, 'the output buffer is sized by the input, not the header');
});

test('RTF to text: paragraphs, tabs, code page bytes, Unicode escapes with fallbacks, escaped braces; tables and hidden destinations dropped', () => {
  const rtf = [
    '{\\rtf1\\ansi\\ansicpg1251\\uc1{\\fonttbl{\\f0\\fswiss Arial;}}{\\colortbl;\\red0\\green0\\blue0;}',
    '{\\*\\generator Msftedit;}{\\info{\\author someone}}',
    '\\pard Hello \\\'cf\\\'f0\\\'e8\\\'e2\\\'e5\\\'f2\\par',
    'Euro \\u8364?sign\\tab column {\\*\\htmltag <b>}bold \\{braces\\}\\par',
    '{\\pict\\pngblip 89504e47}{\\field{\\*\\fldinst HYPERLINK "x"}{\\fldrslt link text}}\\par}',
  ].join('\r\n');
  assert.equal(rtfToText(Buffer.from(rtf, 'latin1')), 'Hello Привет\nEuro €sign\tcolumn bold {braces}\nlink text');
});

test('RTF to text stays linear on pathological input (deep nesting, runs of backslashes and blanks)', () => {
  const deep = Buffer.from('{'.repeat(200_000) + 'x' + '}'.repeat(200_000));
  assert.equal(rtfToText(deep), 'x');
  assert.equal(rtfToText(Buffer.from('\\'.repeat(400_001) + ' '.repeat(400_000) + '\\par')), '\\'.repeat(200_000));
});
